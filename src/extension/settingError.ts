// The settings' section, full key names and the error a bad value raises: shared by config.ts (the one owner
// of settings, which re-exports them) and the helpers that interpret a value it read (modelPathSetting.ts).
import type { SettingKey } from './config';

export const SECTION = 'distilbertInspector';

/** The name a user types in settings.json for a key relative to SECTION. */
export function fullKey(key: SettingKey): string {
  return `${SECTION}.${key}`;
}

/** A setting holds a value the extension cannot use; the message names the setting and the fix. */
export class SettingError extends Error {
  constructor(
    readonly key: SettingKey,
    message: string,
  ) {
    super(message);
    this.name = 'SettingError';
  }
}

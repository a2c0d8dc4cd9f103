// The one owner of the extension's settings: typed getters that validate, change events that say whether
// the model must be reloaded, and the workspace-trust rule for `model.path`.
//
// Adding a setting: declare it under contributes.configuration in package.json (type, default, bounds,
// markdownDescription); add its key to SettingKey and ALL_KEYS (and RELOAD_KEYS if the Inspector must be
// reopened for it); add a typed getter here that validates and throws SettingError naming the setting; read it
// only through that getter. If a repository must not choose it, list it in
// capabilities.untrustedWorkspaces.restrictedConfigurations and read only its user value when untrusted.
// Helpers only interpret values read here: modelPathSetting.ts (what model.path names), settingPlace.ts (where a
// value lives, and MACHINE_KEYS), settingError.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseRules, type ParsedRules } from '../core/diagnostics/rules';
import { parseVariant, type OnnxVariant } from '../core/model/variants';
import { modelLocation } from './modelPathSetting';
import { SECTION, SettingError, fullKey } from './settingError';
import { MACHINE_KEYS, placeOf, targetWhereSet, type SettingPlace } from './settingPlace';
import { DEFAULT_OVERLAP } from '../core/text/windows';

export { SECTION, SettingError, fullKey, type SettingPlace };

/** Setting keys relative to SECTION; `fullKey` gives the name a user types in settings.json. */
export type SettingKey =
  | 'model.path'
  | 'model.variant'
  | 'hub.endpoint'
  | 'windowTokens'
  | 'windowOverlap'
  | 'threads'
  | 'decorations.enabled'
  | 'occlusion.editorTint'
  | 'diagnostics.enabled'
  | 'diagnostics.rules'
  | 'diagnostics.languages'
  | 'diagnostics.maxFileSizeKB'
  | 'live.debounceMs';

/** Keys whose change needs a new Inspector (model folder, ONNX file, download source and threads are fixed at open time). */
const RELOAD_KEYS: readonly SettingKey[] = ['model.path', 'model.variant', 'hub.endpoint', 'threads'];
const ALL_KEYS: readonly SettingKey[] = [
  'model.path',
  'model.variant',
  'hub.endpoint',
  'windowTokens',
  'windowOverlap',
  'threads',
  'decorations.enabled',
  'occlusion.editorTint',
];
/** The classifier-diagnostics and live-inspection settings (kept apart so merges with other features stay additive). */
const FEATURE_KEYS: readonly SettingKey[] = [
  'diagnostics.enabled',
  'diagnostics.rules',
  'diagnostics.languages',
  'diagnostics.maxFileSizeKB',
  'live.debounceMs',
];

/** Settings an untrusted workspace must not choose (capabilities.untrustedWorkspaces.restrictedConfigurations). */
const RESTRICTED_KEYS: readonly SettingKey[] = MACHINE_KEYS;

/** Which ONNX file of a model folder (or hub repository) to load: a hub dtype name (onnx/model_<dtype>.onnx) or auto. */
export type ModelVariant = OnnxVariant;

/** Which settings changed, and what that means for the model service and the decorations. */
export interface ConfigChange {
  keys: SettingKey[];
  reloadModel: boolean;
}

/** Where the model comes from: '' dir and no hub id means the bundled default model. */
export interface ModelChoice {
  /** Absolute folder, or '' for the bundled default or a hub id (downloaded before use). */
  dir: string;
  /** A hub repository id (`owner/name[@revision]` in the setting), downloaded into global storage. */
  hub: { repo: string; revision: string } | undefined;
  variant: ModelVariant;
  /** The raw setting value that was used ('' when none). */
  setting: string;
  /** A workspace-level model.path ignored because the workspace is untrusted. */
  ignoredWorkspaceValue: string | undefined;
}

export class Config implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ConfigChange>();
  private readonly subscriptions: vscode.Disposable[] = [this.emitter];
  /** Fires after settings change (or workspace trust is granted, which can change `model.path`). */
  readonly onDidChange = this.emitter.event;

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        const keys = [...ALL_KEYS, ...FEATURE_KEYS].filter((k) => e.affectsConfiguration(fullKey(k)));
        if (keys.length) this.emitter.fire({ keys, reloadModel: keys.some((k) => RELOAD_KEYS.includes(k)) });
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.emitter.fire({ keys: ['model.path'], reloadModel: true });
      }),
    );
  }

  private section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /**
   * The model folder. In an untrusted workspace a workspace (or folder) value could point the extension at
   * a model folder planted in the repository, so only the user-level value counts there, and even that value
   * must not resolve into the workspace (see untrustedModelRef).
   */
  modelChoice(): ModelChoice {
    const { value, ignored } = this.restrictedString('model.path');
    const setting = value.trim();
    const variant = this.variant();
    if (setting === '') return { dir: '', hub: undefined, variant, setting, ignoredWorkspaceValue: ignored };
    return { ...modelLocation(setting, vscode.workspace.isTrusted), variant, setting, ignoredWorkspaceValue: ignored };
  }

  /** The ONNX graph (fp32, int8, quantized, ... or auto); a repository must not choose it when untrusted. */
  variant(): ModelVariant {
    const v = this.restrictedString('model.variant', 'fp32').value;
    try {
      return parseVariant(v, `Setting ${fullKey('model.variant')}`);
    } catch (err) {
      const e = err as Error & { hint?: string };
      throw new SettingError('model.variant', `${e.message} ${e.hint ?? ''} Fix it in Settings.`.replace(/\s+/g, ' '));
    }
  }

  /**
   * The hub endpoint for downloads: the setting, else HF_ENDPOINT, else undefined (the core's default,
   * https://huggingface.co). Restricted: an untrusted workspace must not redirect downloads.
   */
  hubEndpoint(): string | undefined {
    const v = this.restrictedString('hub.endpoint').value.trim();
    const chosen = v || process.env['HF_ENDPOINT'] || '';
    if (!chosen) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(chosen);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      const where = v ? `Setting ${fullKey('hub.endpoint')}` : 'The environment variable HF_ENDPOINT';
      throw new SettingError(
        'hub.endpoint',
        `${where} is "${chosen}", but it must be an http(s) URL such as https://huggingface.co. Fix it in Settings.`,
      );
    }
    return chosen.replace(/\/+$/, '');
  }

  /**
   * A string setting listed in restrictedConfigurations. In an untrusted workspace a workspace (or folder)
   * value could point the extension at files planted in the repository, so only the user-level value counts.
   */
  private restrictedString(key: SettingKey, fallback = ''): { value: string; ignored: string | undefined } {
    const info = this.section().inspect<unknown>(key);
    let value: unknown;
    let ignored: string | undefined;
    if (vscode.workspace.isTrusted) {
      value = this.section().get<unknown>(key, fallback);
    } else {
      value = info?.globalValue ?? fallback;
      // VS Code hides restricted workspace values from inspect() in Restricted Mode, so look in the files.
      const workspaceValue = info?.workspaceFolderValue ?? info?.workspaceValue ?? workspaceFileValue(fullKey(key));
      if (typeof workspaceValue === 'string' && workspaceValue.trim() !== '' && workspaceValue !== value)
        ignored = workspaceValue;
    }
    if (typeof value !== 'string') {
      throw new SettingError(
        key,
        `Setting ${fullKey(key)} must be a string, not ${JSON.stringify(value)}. Fix it in Settings.`,
      );
    }
    return { value, ignored };
  }

  /**
   * Where `key`'s value in effect lives: the workspace (or folder) settings when one is set there and counts,
   * else the user-level settings, which for machine settings in a remote window are the Remote settings.
   */
  settingPlace(key: SettingKey): SettingPlace {
    return placeOf(key, this.section().inspect(key), vscode.workspace.isTrusted || !RESTRICTED_KEYS.includes(key));
  }

  /**
   * Saves a model folder chosen in a dialog where the value in effect lives (a workspace value would otherwise
   * override a new user value), and returns that place.
   */
  async setModelPath(dir: string): Promise<SettingPlace> {
    const place = this.settingPlace('model.path');
    await this.section().update('model.path', dir, place.target);
    return place;
  }

  /** A variant passed to a command by a script (validated like the setting). */
  variantFromArg(value: string): ModelVariant {
    return parseVariant(value, 'The variant argument');
  }

  /** Saves model.variant in the user settings (a workspace value would be ignored when untrusted). */
  async setVariant(variant: ModelVariant, target = vscode.ConfigurationTarget.Global): Promise<void> {
    await this.section().update('model.variant', variant, target);
  }

  /**
   * Whether the user left the graph to us: model.variant is `auto`, or fp32 only by default (no value where one
   * counts). An explicit fp32 (or any other dtype) is the user's choice and is kept.
   */
  variantLeftOpen(): boolean {
    const v = this.variant();
    if (v !== 'fp32') return v === 'auto';
    const i = this.section().inspect<unknown>('model.variant');
    const workspaceCounts = vscode.workspace.isTrusted;
    return (
      i?.globalValue === undefined &&
      (!workspaceCounts || (i?.workspaceValue === undefined && i?.workspaceFolderValue === undefined))
    );
  }

  /**
   * Saves model.variant beside model.path (settingPlace), or where a variant already in effect lives when that
   * place is more specific (a value there would override the new one).
   */
  async setVariantBesideModelPath(variant: ModelVariant): Promise<SettingPlace> {
    const [forPath, forVariant] = [this.settingPlace('model.path'), this.settingPlace('model.variant')];
    const place = forVariant.target > forPath.target ? forVariant : forPath;
    await this.section().update('model.variant', variant, place.target);
    return place;
  }

  /** Checks the window settings without a model, so a bad value fails before a model load. */
  checkWindowSettings(): void {
    this.windowOptions(Number.MAX_SAFE_INTEGER);
  }

  /**
   * Tokens per window and overlap for a model that reads at most `maxLength` tokens. windowTokens is capped at
   * that length (its description says so). The default overlap shrinks to fit a short window, but an overlap
   * the user chose that leaves no room for new tokens is an error naming the setting.
   */
  windowOptions(maxLength: number): { windowTokens: number; overlap: number } {
    const windowTokens = Math.min(this.integer('windowTokens', 512, 8, 512), maxLength);
    const content = windowTokens - 2; // [CLS] and [SEP] take two of the window's tokens
    const overlap = this.integer('windowOverlap', DEFAULT_OVERLAP, 0, Number.MAX_SAFE_INTEGER);
    if (overlap < content) return { windowTokens, overlap };
    if (!this.isSet('windowOverlap')) return { windowTokens, overlap: Math.floor(content / 4) };
    throw new SettingError(
      'windowOverlap',
      `Setting ${fullKey('windowOverlap')} is ${overlap}, but a window of ${windowTokens} tokens holds only ${content} text tokens; ` +
        `the overlap must be less than that. Lower ${fullKey('windowOverlap')} or raise ${fullKey('windowTokens')} in Settings.`,
    );
  }

  /** Inference threads; 0 lets ONNX Runtime decide. */
  threads(): number {
    return this.integer('threads', 0, 0, 64);
  }

  decorationsEnabled(): boolean {
    return this.section().get<unknown>('decorations.enabled', true) !== false;
  }

  /** Whether an occlusion run tints the words in the editor (its panel heat strip shows either way). */
  occlusionEditorTint(): boolean {
    return this.section().get<unknown>('occlusion.editorTint', true) !== false;
  }

  /** Flips occlusion.editorTint where it is set (user settings when it is not set anywhere else). */
  async toggleOcclusionEditorTint(): Promise<boolean> {
    const next = !this.occlusionEditorTint();
    await this.section().update(
      'occlusion.editorTint',
      next,
      targetWhereSet(this.section().inspect('occlusion.editorTint')),
    );
    return next;
  }

  /** Classifier diagnostics in the Problems panel (off by default). */
  diagnosticsEnabled(): boolean {
    const v = this.section().get<unknown>('diagnostics.enabled', false);
    if (typeof v !== 'boolean') {
      throw new SettingError(
        'diagnostics.enabled',
        `Setting ${fullKey('diagnostics.enabled')} is ${JSON.stringify(v)}, but it must be true or false. Fix it in Settings.`,
      );
    }
    return v;
  }

  /**
   * The diagnostics rules, checked entry by entry: bad entries come back as problems (naming the entry and the
   * fix) and the good ones still run. Whether a rule's label exists is checked later, against the loaded model.
   */
  diagnosticsRules(): ParsedRules {
    return parseRules(this.section().get<unknown>('diagnostics.rules', []), fullKey('diagnostics.rules'));
  }

  /** Language ids whose documents get diagnostics on save. */
  diagnosticsLanguages(): string[] {
    const v = this.section().get<unknown>('diagnostics.languages', ['markdown', 'plaintext']);
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.trim() !== '')) {
      throw new SettingError(
        'diagnostics.languages',
        `Setting ${fullKey('diagnostics.languages')} is ${JSON.stringify(v)}, but it must be a list of language ids such as ["markdown", "plaintext"]. Fix it in Settings.`,
      );
    }
    return v.map((x: string) => x.trim());
  }

  /** Documents larger than this (KB of UTF-8) are skipped by the diagnostics. */
  diagnosticsMaxFileSizeKB(): number {
    return this.integer('diagnostics.maxFileSizeKB', 256, 1, 100_000);
  }

  /** Quiet time after the last edit or selection move before live inspection re-classifies. */
  liveDebounceMs(): number {
    return this.integer('live.debounceMs', 300, 0, 10_000);
  }

  /** True when a user, workspace or folder value is set (not just the default). */
  private isSet(key: SettingKey): boolean {
    const i = this.section().inspect(key);
    return i?.globalValue !== undefined || i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  }

  private integer(key: SettingKey, fallback: number, min: number, max: number): number {
    const value = this.section().get<unknown>(key, fallback);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
      throw new SettingError(
        key,
        `Setting ${fullKey(key)} is ${JSON.stringify(value)}, but it must be ${range} (default ${fallback}). Fix it in Settings.`,
      );
    }
    return value;
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }
}

/**
 * A string setting as written in the workspace's settings files (.vscode/settings.json of each folder, or the
 * .code-workspace file), read only to tell the user it was ignored. The files are JSON with comments, so the
 * key is found textually and only its string literal is parsed.
 */
function workspaceFileValue(key: string): string | undefined {
  const files = (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => path.join(f.uri.fsPath, '.vscode', 'settings.json'));
  const wsFile = vscode.workspace.workspaceFile;
  if (wsFile?.scheme === 'file') files.push(wsFile.fsPath);
  const pattern = new RegExp(`"${key.replace(/\./g, '\\.')}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`);
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // no settings file in this folder
    }
    const m = pattern.exec(text);
    if (m?.[1]) {
      try {
        return JSON.parse(m[1]) as string;
      } catch {
        return m[1];
      }
    }
  }
  return undefined;
}

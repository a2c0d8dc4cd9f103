// User-facing messages. Every message is also logged, and the last few are kept so extension-host tests can
// check what the user was told without scraping the notification UI. Notifications are never awaited by
// command handlers: a notification with buttons stays open until dismissed.
import * as vscode from 'vscode';
import { fullKey, type SettingKey } from './config';
import type { Failure } from './failures';
import type { Log } from './log';

/** A message shown to the user (kept for tests and for the log). */
export interface ShownMessage {
  level: 'info' | 'warning' | 'error';
  text: string;
}

const OPEN_SETTINGS = 'Open Settings';
const SHOW_LOG = 'Show Log';
// Enough for a long session of tests that index into messages() by count; a few hundred short strings is nothing.
const MAX_KEPT = 1000;

export class Notifier {
  private readonly shown: ShownMessage[] = [];

  /** `extensionId` filters "Open Settings" to this extension's settings when no single setting is at fault. */
  constructor(
    private readonly log: Log,
    private readonly extensionId: string,
  ) {}

  /** Most recent last. */
  messages(): readonly ShownMessage[] {
    return this.shown;
  }

  info(text: string, ...actions: { title: string; run: () => unknown }[]): void {
    this.keep('info', text);
    this.log.info(text);
    this.offer(vscode.window.showInformationMessage(text, ...actions.map((a) => a.title)), actions);
  }

  warn(text: string, ...actions: { title: string; run: () => unknown }[]): void {
    this.keep('warning', text);
    this.log.warn(text);
    this.offer(vscode.window.showWarningMessage(text, ...actions.map((a) => a.title)), actions);
  }

  /**
   * An error notification with "Open Settings" (filtered to `setting`, or to all of the extension's
   * settings) and "Show Log". The log entry carries the stack.
   */
  error(text: string, err?: unknown, setting?: SettingKey): void {
    this.keep('error', text);
    this.log.error(text, err);
    const query = setting ? fullKey(setting) : `@ext:${this.extensionId}`;
    this.offer(vscode.window.showErrorMessage(text, OPEN_SETTINGS, SHOW_LOG), [
      { title: OPEN_SETTINGS, run: () => vscode.commands.executeCommand('workbench.action.openSettings', query) },
      { title: SHOW_LOG, run: () => this.log.show() },
    ]);
  }

  /** Shows a described failure at its level (cancellations stay silent); `err` goes to the log with its stack. */
  failure(failure: Failure, err: unknown): void {
    if (failure.level === 'warning') this.warn(failure.text);
    else if (failure.level === 'error') this.error(failure.text, err, failure.setting);
  }

  private keep(level: ShownMessage['level'], text: string): void {
    this.shown.push({ level, text });
    if (this.shown.length > MAX_KEPT) this.shown.shift();
  }

  private offer(choice: Thenable<string | undefined>, actions: { title: string; run: () => unknown }[]): void {
    void Promise.resolve(choice).then(
      async (picked) => {
        try {
          await actions.find((a) => a.title === picked)?.run();
        } catch (err) {
          this.log.error(`The action "${picked}" failed.`, err);
        }
      },
      (err: unknown) => this.log.error('Showing a notification failed.', err),
    );
  }
}

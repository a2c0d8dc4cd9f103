// User-facing messages. Every message is also logged, and the last few are kept so extension-host tests can
// check what the user was told without scraping the notification UI. Notifications are never awaited by
// command handlers: a notification with buttons stays open until dismissed.
import * as vscode from 'vscode';
import { fullKey, type SettingKey, type SettingPlace } from './config';
import type { Failure } from './failures';
import type { Log } from './log';

/** A message shown to the user (kept for tests and for the log). */
export interface ShownMessage {
  level: 'info' | 'warning' | 'error';
  text: string;
  /** The buttons offered, by title. */
  actions: string[];
}

/** A button on a notification. */
export interface Action {
  title: string;
  run: () => unknown;
}

const SHOW_LOG = 'Show Log';
// Enough for a long session of tests that index into messages() by count; a few hundred short strings is nothing.
const MAX_KEPT = 1000;

export class Notifier {
  private readonly shown: ShownMessage[] = [];

  /**
   * `extensionId` filters "Open Settings" to this extension's settings when no single setting is at fault;
   * `placeOf` says where a setting's value lives, so the button is named and opens that tab (Remote, User,
   * Workspace).
   */
  constructor(
    private readonly log: Log,
    private readonly extensionId: string,
    private readonly placeOf?: (key: SettingKey) => SettingPlace,
  ) {}

  /** Most recent last. */
  messages(): readonly ShownMessage[] {
    return this.shown;
  }

  info(text: string, ...actions: Action[]): void {
    this.keep('info', text, actions);
    this.log.info(text);
    this.offer(vscode.window.showInformationMessage(text, ...actions.map((a) => a.title)), actions);
  }

  warn(text: string, ...actions: Action[]): void {
    this.keep('warning', text, actions);
    this.log.warn(text);
    this.offer(vscode.window.showWarningMessage(text, ...actions.map((a) => a.title)), actions);
  }

  /**
   * An error notification with "Open Settings" (filtered to `setting`, or to all of the extension's
   * settings) and "Show Log". The log entry carries the stack.
   */
  error(text: string, err?: unknown, setting?: SettingKey): void {
    this.log.error(text, err);
    const actions = [this.settingsAction(setting), { title: SHOW_LOG, run: () => this.log.show() }];
    this.keep('error', text, actions);
    this.offer(vscode.window.showErrorMessage(text, ...actions.map((a) => a.title)), actions);
  }

  /**
   * A modal question (e.g. before a download) with one confirming button; resolves true when it is chosen.
   * `answer` (tests, scripts) skips the dialog; the text is kept and logged either way.
   */
  async ask(text: string, detail: string, button: string, answer?: boolean): Promise<boolean> {
    this.keep('info', `${text} ${detail}`, [{ title: button, run: () => undefined }]);
    this.log.info(`${text} ${detail}`);
    if (answer !== undefined) return answer;
    return (await vscode.window.showInformationMessage(text, { modal: true, detail }, button)) === button;
  }

  /** "Open Remote Settings" / "Open User Settings" / ... on `setting` where its value lives, else all of ours. */
  private settingsAction(setting: SettingKey | undefined): Action {
    if (!setting || !this.placeOf) {
      const query = setting ? fullKey(setting) : `@ext:${this.extensionId}`;
      return {
        title: 'Open Settings',
        run: () => vscode.commands.executeCommand('workbench.action.openSettings', { query }),
      };
    }
    const place = this.placeOf(setting);
    return {
      title: place.button,
      run: () => vscode.commands.executeCommand(place.command, { query: fullKey(setting) }),
    };
  }

  /** Shows a described failure at its level (cancellations stay silent); `err` goes to the log with its stack. */
  failure(failure: Failure, err: unknown): void {
    if (failure.level === 'warning') this.warn(failure.text);
    else if (failure.level === 'error') this.error(failure.text, err, failure.setting);
  }

  private keep(level: ShownMessage['level'], text: string, actions: Action[] = []): void {
    this.shown.push({ level, text, actions: actions.map((a) => a.title) });
    if (this.shown.length > MAX_KEPT) this.shown.shift();
  }

  private offer(choice: Thenable<string | undefined>, actions: Action[]): void {
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

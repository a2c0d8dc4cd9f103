// The extension's one way to show that work is under way: VS Code's progress UI, either the window's status-bar
// indicator (short work) or a notification with a bar and, when the work can be stopped, a Cancel button.
import * as vscode from 'vscode';

/** Texts longer than this get a cancellable notification; shorter ones finish before it would be read. */
export const LONG_TEXT_CHARS = 4000;

/** Where progress shows: `notification` for long work; `cancel` adds a Cancel button that calls it. */
export interface ProgressPlace {
  title: string;
  notification: boolean;
  cancel?: () => void;
}

/** Reports a message and, when known, how far the work is (`done` of `total`) to move the notification's bar. */
export type ProgressReport = (message: string, done?: number, total?: number) => void;

/** Runs `work` under VS Code's progress UI at `place`. */
export function withProgress<T>(place: ProgressPlace, work: (report: ProgressReport) => Promise<T>): Promise<T> {
  const options: vscode.ProgressOptions = place.notification
    ? { location: vscode.ProgressLocation.Notification, title: place.title, cancellable: place.cancel !== undefined }
    : { location: vscode.ProgressLocation.Window, title: place.title };
  return Promise.resolve(
    vscode.window.withProgress(options, async (progress, token) => {
      const sub = place.cancel ? token.onCancellationRequested(place.cancel) : undefined;
      let reported = 0;
      try {
        return await work((message, done, total) => {
          if (done === undefined || total === undefined) return progress.report({ message });
          const pct = total > 0 ? (done / total) * 100 : 0;
          progress.report({ increment: pct - reported, message });
          reported = pct;
        });
      } finally {
        sub?.dispose();
      }
    }),
  );
}

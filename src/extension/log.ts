// The extension's one log: a LogOutputChannel ("DistilBERT Inspector") with levels, so every event lands in
// one place the user can open with "DistilBERT: Show Log". Host code never uses console.log.
import * as vscode from 'vscode';

/** A thin wrapper that formats errors with their stack and InspectorError hints. */
export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('DistilBERT Inspector', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  debug(message: string): void {
    this.channel.debug(message);
  }

  /** Logs the message plus the error's code, hint and stack (the notification shows only one line). */
  error(message: string, err?: unknown): void {
    this.channel.error(err === undefined ? message : `${message}\n${describeError(err)}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** Everything useful about an error, for the log (not for notifications). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: unknown; hint?: unknown };
  const parts: string[] = [];
  if (typeof e.code === 'string') parts.push(`code: ${e.code}`);
  if (typeof e.hint === 'string' && e.hint) parts.push(`hint: ${e.hint}`);
  parts.push(e.stack ?? `${e.name}: ${e.message}`);
  return parts.join('\n');
}

// Classifier diagnostics: on save, a document of a configured language is classified window by window and the
// windows that match a rule (src/core/diagnostics/rules.ts) become entries in the Problems panel. Off by
// default. Runs go through ModelService.detached, so they never abort or replace the panel's result;
// a newer save of the same document aborts its older run.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { evaluate, rulesForModel, type Finding, type Severity } from '../core/diagnostics/rules';
import type { Inspection } from '../core/types';
import { fullKey, type Config, type ConfigChange, type SettingKey } from './config';
import { describeFailure } from './failures';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import { LONG_TEXT_CHARS, withProgress } from './progress';
import { textProblem } from './textChecks';

/**
 * What the last diagnostics pass did for a document (kept for the extension-host tests and the log). Only what
 * the Problems entries are made of is kept per open document, never the inspection itself: its stages and tokens
 * per window would hold kilobytes per window for every open document.
 */
export type DiagnosticsOutcome =
  | { kind: 'done'; version: number; findings: Finding[]; windows: number; textLength: number }
  | { kind: 'skipped'; version: number; reason: string };

/** Schemes of documents a person edits and saves; output channels, git views and the like are not linted. */
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);
/** Settings whose change invalidates every document's diagnostics (the windows or the verdicts change). */
const REFRESH_KEYS: readonly SettingKey[] = [
  'diagnostics.enabled',
  'diagnostics.rules',
  'diagnostics.languages',
  'diagnostics.maxFileSizeKB',
  'windowTokens',
  'windowOverlap',
];

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export class ClassifierDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('DistilBERT');
  /** The running pass per document (uri string); a newer pass replaces the entry and aborts the older one. */
  private readonly running = new Map<string, { controller: AbortController; pass: number }>();
  private readonly outcomes = new Map<string, DiagnosticsOutcome>();
  /** Problems (bad rules, failures) already shown, so saving again does not repeat the same notification. */
  private readonly told = new Set<string>();
  private nextPass = 1;
  private readonly outcomeEmitter = new vscode.EventEmitter<{ uri: vscode.Uri; outcome: DiagnosticsOutcome }>();
  private readonly disposables: vscode.Disposable[] = [this.collection, this.outcomeEmitter];
  /** Fires when a pass for a document finishes or is skipped (not when it is superseded or fails). */
  readonly onDidFinish = this.outcomeEmitter.event;

  constructor(
    private readonly config: Config,
    private readonly models: ModelService,
    private readonly notifier: Notifier,
    private readonly log: Log,
  ) {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => void this.check(doc, 'saved')),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)),
      // Registered after activate's reload listener, so a model change has already started loading the new model.
      config.onDidChange((change) => this.onConfigChange(change)),
    );
    if (this.enabled()) this.checkOpenDocuments('the extension started');
  }

  /** The last outcome for a document (tests; the Problems panel shows the findings). */
  outcome(uri: vscode.Uri): DiagnosticsOutcome | undefined {
    return this.outcomes.get(uri.toString());
  }

  /** Classifies `doc` and replaces its diagnostics, if the settings say it should be checked. */
  async check(doc: vscode.TextDocument, why: string): Promise<void> {
    if (!this.enabled() || !SCHEMES.has(doc.uri.scheme)) return;
    const key = doc.uri.toString();
    const name = doc.isUntitled ? doc.uri.path : path.basename(doc.fileName);
    const version = doc.version;
    const languages = this.setting(() => this.config.diagnosticsLanguages(), []);
    if (!languages.includes(doc.languageId)) {
      this.skip(
        doc.uri,
        version,
        `${name} is ${doc.languageId}, not one of ${fullKey('diagnostics.languages')} (${languages.join(', ') || 'none'}).`,
        false,
      );
      return;
    }
    const text = doc.getText();
    const maxKB = this.setting(() => this.config.diagnosticsMaxFileSizeKB(), undefined);
    if (maxKB === undefined) return;
    const kb = Buffer.byteLength(text, 'utf8') / 1024;
    if (kb > maxKB) {
      const reason = `DistilBERT diagnostics skipped ${name}: ${kb.toFixed(0)} KB is over ${fullKey('diagnostics.maxFileSizeKB')} (${maxKB} KB); raise that setting to check it.`;
      this.skip(doc.uri, version, reason, true);
      return;
    }
    const problem = textProblem(text, name);
    if (problem) {
      this.skip(doc.uri, version, problem, false);
      return;
    }
    const parsed = this.config.diagnosticsRules();
    for (const p of parsed.problems) this.tellOnce(p, 'warn');
    if (parsed.rules.length === 0) {
      this.skip(
        doc.uri,
        version,
        `${fullKey('diagnostics.rules')} has no usable rule, so ${name} has nothing to check.`,
        false,
      );
      this.tellOnce(
        `Classifier diagnostics are on, but ${fullKey('diagnostics.rules')} has no usable rule. Add one such as {"label": "NEGATIVE", "minProbability": 0.9, "severity": "warning"} in Settings.`,
        'info',
      );
      return;
    }

    this.running.get(key)?.controller.abort(); // a newer save supersedes the older run
    const controller = new AbortController();
    const pass = this.nextPass++;
    this.running.set(key, { controller, pass });
    this.log.info(`Diagnostics pass ${pass}: ${name} ${why} (version ${version}, ${text.length} chars).`);
    const run = (): Promise<Inspection> =>
      this.models.run('inspect', this.models.detached(controller.signal, `Diagnostics pass ${pass} (${name})`), {
        text,
      });
    try {
      const inspection =
        // Long texts show the window's progress indicator (never a notification: nobody asked for this run).
        text.length > LONG_TEXT_CHARS
          ? await withProgress({ title: `DistilBERT: checking ${name}`, notification: false }, run)
          : await run();
      if (this.running.get(key)?.pass !== pass) return; // superseded, closed or switched off meanwhile
      this.running.delete(key);
      const checked = rulesForModel(parsed.rules, inspection.model, fullKey('diagnostics.rules'));
      for (const p of checked.problems) this.tellOnce(p, 'warn');
      const findings = evaluate(inspection, checked.rules);
      const at = lineIndex(text);
      this.collection.set(
        doc.uri,
        findings.map((f) => {
          const d = new vscode.Diagnostic(new vscode.Range(at(f.start), at(f.end)), f.message, SEVERITY[f.severity]);
          d.source = 'DistilBERT';
          d.code = f.label;
          return d;
        }),
      );
      this.log.info(
        `Diagnostics pass ${pass}: ${findings.length} problem(s) in ${name} from ${inspection.windows.length} window(s).`,
      );
      this.finish(doc.uri, {
        kind: 'done',
        version,
        findings,
        windows: inspection.windows.length,
        textLength: inspection.coverage.textLength,
      });
    } catch (err) {
      if (this.running.get(key)?.pass !== pass) return;
      this.running.delete(key);
      const failure = describeFailure(err, this.models.currentChoice());
      if (failure.level === 'silent') return;
      this.log.error(`Diagnostics pass ${pass} for ${name} failed.`, err);
      const message = `Classifier diagnostics could not check ${name}: ${failure.text} (Turn them off with ${fullKey('diagnostics.enabled')}.)`;
      if (!this.told.has(failure.text)) {
        this.told.add(failure.text);
        this.notifier.error(message, err, failure.setting ?? 'diagnostics.enabled');
      }
    }
  }

  dispose(): void {
    for (const r of this.running.values()) r.controller.abort();
    this.running.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private onConfigChange(change: ConfigChange): void {
    if (!change.reloadModel && !change.keys.some((k) => REFRESH_KEYS.includes(k))) return;
    // Every entry was computed under the old settings: drop them all, then re-check what is open.
    this.cancelAll();
    this.collection.clear();
    this.outcomes.clear();
    this.told.clear();
    if (this.enabled()) this.checkOpenDocuments(`settings changed (${change.keys.map(fullKey).join(', ')})`);
    else this.log.info('Classifier diagnostics are off: cleared the Problems panel entries.');
  }

  private checkOpenDocuments(why: string): void {
    for (const doc of vscode.workspace.textDocuments) void this.check(doc, why);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.running.get(key)?.controller.abort();
    this.running.delete(key);
    this.outcomes.delete(key);
    this.collection.delete(uri);
  }

  private cancelAll(): void {
    for (const r of this.running.values()) r.controller.abort();
    this.running.clear();
  }

  /** The document is not checked: its old entries go (they describe text it may no longer have). */
  private skip(uri: vscode.Uri, version: number, reason: string, visible: boolean): void {
    const key = uri.toString();
    this.running.get(key)?.controller.abort();
    this.running.delete(key);
    this.collection.delete(uri);
    // Other languages' saves are routine: keep them out of the info log.
    if (visible || !reason.includes(fullKey('diagnostics.languages'))) this.log.info(reason);
    else this.log.debug(reason);
    if (visible) vscode.window.setStatusBarMessage(`$(info) ${reason}`, 10_000);
    this.finish(uri, { kind: 'skipped', version, reason });
  }

  private finish(uri: vscode.Uri, outcome: DiagnosticsOutcome): void {
    this.outcomes.set(uri.toString(), outcome);
    this.outcomeEmitter.fire({ uri, outcome });
  }

  private enabled(): boolean {
    return this.setting(() => this.config.diagnosticsEnabled(), false);
  }

  /** A setting's value, or `fallback` after telling the user (once) what is wrong with it. */
  private setting<T>(read: () => T, fallback: T): T {
    try {
      return read();
    } catch (err) {
      const failure = describeFailure(err, undefined);
      if (!this.told.has(failure.text)) {
        this.told.add(failure.text);
        this.notifier.error(failure.text, err, failure.setting);
      }
      return fallback;
    }
  }

  private tellOnce(text: string, level: 'warn' | 'info'): void {
    if (this.told.has(text)) return;
    this.told.add(text);
    if (level === 'warn')
      this.notifier.warn(text, {
        title: 'Open Settings',
        run: () => vscode.commands.executeCommand('workbench.action.openSettings', fullKey('diagnostics.rules')),
      });
    else
      this.notifier.info(text, {
        title: 'Open Settings',
        run: () => vscode.commands.executeCommand('workbench.action.openSettings', fullKey('diagnostics.rules')),
      });
  }
}

/** Offset -> Position in `text` (the text that was classified, so ranges stay right even if the buffer moved on). */
function lineIndex(text: string): (offset: number) => vscode.Position {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return new vscode.Position(lo, offset - starts[lo]!);
  };
}

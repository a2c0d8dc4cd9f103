// Live inspection: while the panel is open and "Live" is on, the active editor's selection (or, when it is
// empty, the paragraph around the cursor; see src/core/live/liveRange.ts) is re-classified as the user types
// or moves it. Scheduling (debounce, newest wins, stale runs aborted, one run in flight) is the pure
// LiveScheduler; this file turns editor events into jobs and results into the panel. Live switches off when
// the panel closes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { paragraphAt } from '../core/live/liveRange';
import { LiveScheduler } from '../core/live/scheduler';
import type { Inspection } from '../core/types';
import type { LiveStatus, PanelSource } from '../shared/protocol';
import type { Config } from './config';
import { describeFailure } from './failures';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import type { Session } from './session';
import { textProblem } from './textChecks';
import { isUserEditor, targetEditor } from './targetEditor';
import type { ResultStatusBar } from './statusBar';

/** Live runs classify small texts as the user types; a longer selection is left to "Classify Selection". */
export const LIVE_MAX_CHARS = 20_000;

/** One thing to classify: a range of a document as it was when the job was made. */
interface LiveJob {
  /**
   * Same key = same computation and the same words on show. `what` is part of it: a selection of exactly the
   * line the cursor's paragraph was must still say "the selection", not keep the paragraph run's wording.
   */
  key: string;
  text: string;
  source: PanelSource;
  what: string;
}

/** A live result that reached the panel (for the extension-host tests). */
export interface LiveResult {
  requestId: number;
  inspection: Inspection;
  source: PanelSource;
  text: string;
  latencyMs: number;
}

export interface LiveDeps {
  config: Config;
  models: ModelService;
  /** A live result becomes the result on show, which every command about "the current result" acts on; owns the panel. */
  session: Session;
  notifier: Notifier;
  log: Log;
  statusBar: ResultStatusBar;
}

export class LiveInspection implements vscode.Disposable {
  private on = false;
  private runs = 0;
  private lastLatencyMs: number | undefined;
  private note: string | undefined;
  private what: string | undefined;
  /** The job and inspection last put on show, so moving within the same text does not run it again. */
  private shown: { key: string; inspection: Inspection } | undefined;
  private last: LiveResult | undefined;
  private lastEditor: vscode.TextEditor | undefined;
  private readonly told = new Set<string>();
  private readonly scheduler: LiveScheduler<LiveJob>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: LiveDeps) {
    this.scheduler = new LiveScheduler<LiveJob>({
      debounceMs: () => this.debounceMs(),
      run: (job, signal) => this.run(job, signal),
      same: (a, b) => a.key === b.key,
      onPhase: () => this.publish(),
      onError: (err) => this.failed(err),
    });
    this.disposables.push(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.schedule(e.textEditor);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const editor = vscode.window.activeTextEditor;
        if (isUserEditor(editor) && e.document === editor.document && e.contentChanges.length) this.schedule(editor);
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (!isUserEditor(e)) return; // focus went to the panel, the log or another non-text view: keep the last result
        this.lastEditor = e;
        this.schedule(e);
      }),
      // The panel's Live switch works however the panel was opened (Classify, Open Inspector, a window reload),
      // not only when "Toggle Live Inspection" opened it; closing the panel switches live off.
      deps.session.handle('setLive', (request) => this.set(request.on)),
      deps.session.onDidClosePanel(() => this.set(false)),
    );
  }

  isOn(): boolean {
    return this.on;
  }

  /** Counters of the scheduler (runs started, aborted, the most in flight at once) and results shown, for tests. */
  stats(): { started: number; aborted: number; peakInFlight: number; shown: number } {
    return { ...this.scheduler.stats, shown: this.runs };
  }

  /** The last live result shown (with its latency), for tests. */
  lastResult(): LiveResult | undefined {
    return this.last;
  }

  /** The command: flips live (or sets it to `on`), opening the panel first when switching on. Returns the new state. */
  toggle(on = !this.on): boolean {
    this.set(on);
    return this.on;
  }

  dispose(): void {
    this.scheduler.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private set(on: boolean): void {
    if (on === this.on) {
      this.publish();
      return;
    }
    this.on = on;
    if (!on) {
      this.scheduler.cancel();
      this.note = undefined;
      this.deps.log.info(`Live inspection off (${this.runs} live result(s) shown).`);
      this.publish();
      return;
    }
    this.runs = 0;
    this.lastLatencyMs = undefined;
    this.shown = undefined;
    this.note = undefined;
    this.what = undefined;
    this.deps.session.openPanel();
    this.deps.log.info(`Live inspection on (debounce ${this.debounceMs()} ms).`);
    this.publish();
    const editor = this.editor();
    if (editor) this.schedule(editor);
    else this.setNote('Open a text file and select text (or put the cursor in a paragraph) to classify it live.');
  }

  /** Turns the editor's selection (or the paragraph at the cursor) into a job and hands it to the scheduler. */
  private schedule(editor: vscode.TextEditor): void {
    if (!this.on) return;
    this.lastEditor = editor;
    const doc = editor.document;
    const name = doc.isUntitled ? doc.uri.path : path.basename(doc.fileName);
    let range: vscode.Range;
    let what: string;
    if (!editor.selection.isEmpty) {
      range = editor.selection;
      what = `the selection in ${name}`;
    } else {
      const line = editor.selection.active.line;
      const para = paragraphAt(line, doc.lineCount, (i) => doc.lineAt(i).isEmptyOrWhitespace);
      if (!para) {
        this.scheduler.cancel();
        this.setNote(
          `Line ${line + 1} of ${name} is blank: nothing to classify. Put the cursor in a paragraph or select text.`,
        );
        return;
      }
      range = new vscode.Range(para.first, 0, para.last, doc.lineAt(para.last).text.length);
      what =
        para.first === para.last
          ? `line ${para.first + 1} of ${name}`
          : `the paragraph at lines ${para.first + 1}–${para.last + 1} of ${name}`;
    }
    const text = doc.getText(range);
    const problem =
      text.length > LIVE_MAX_CHARS
        ? `${what} has ${text.length.toLocaleString('en-US')} characters; live inspection reads at most ${LIVE_MAX_CHARS.toLocaleString('en-US')}. Select less, or run "DistilBERT: Classify Selection".`
        : textProblem(text, what);
    if (problem) {
      this.scheduler.cancel();
      this.setNote(problem);
      return;
    }
    const baseOffset = doc.offsetAt(range.start);
    // selection: true for a paragraph too; the panel then says "Selection in", i.e. a part of the file.
    const source: PanelSource = {
      uri: doc.uri.toString(),
      fileName: path.basename(doc.fileName),
      baseOffset,
      selection: true,
    };
    this.note = undefined;
    this.scheduler.request({ key: `${source.uri}\u0000${baseOffset}\u0000${what}\u0000${text}`, text, source, what });
  }

  private async run(job: LiveJob, signal: AbortSignal): Promise<void> {
    const panel = this.deps.session.panel();
    if (!panel) return;
    // Already on show (e.g. the cursor went away and came back): nothing to compute.
    if (this.shown?.key === job.key && panel.currentInspection() === this.shown.inspection) return;
    const { models, log } = this.deps;
    const request = models.begin();
    const abort = (): void => request.cancel();
    signal.addEventListener('abort', abort, { once: true });
    const started = performance.now();
    try {
      const inspection = await models.run('inspect', request, { text: job.text });
      const latencyMs = performance.now() - started;
      if (signal.aborted || !request.isCurrent() || !this.on) return;
      this.deps.session.show({
        requestId: request.id,
        inspection,
        source: job.source,
        text: job.text,
        origin: 'live',
        what: job.what,
      });
      // The status bar tells the latest verdict, live or not (else it contradicts the panel beside it).
      this.deps.statusBar.showResult(inspection, job.what);
      this.shown = { key: job.key, inspection };
      this.runs++;
      this.lastLatencyMs = latencyMs;
      this.what = job.what;
      this.last = { requestId: request.id, inspection, source: job.source, text: job.text, latencyMs };
      log.info(
        `Live run ${request.id}: ${job.what} (${job.text.length} chars) -> ${inspection.aggregate.label} in ${latencyMs.toFixed(0)} ms.`,
      );
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  /** A live run failed: cancellations are routine; anything else is shown in the bar, and notified once. */
  private failed(err: unknown): void {
    const failure = describeFailure(err, this.deps.models.currentChoice());
    if (failure.level === 'silent') return;
    this.setNote(failure.text);
    if (failure.level === 'error' && !this.told.has(failure.text)) {
      this.told.add(failure.text);
      this.deps.notifier.failure(failure, err);
    } else {
      this.deps.log.warn(`Live run: ${failure.text}`);
    }
  }

  private setNote(note: string): void {
    this.note = note;
    this.publish();
  }

  private publish(): void {
    const status: LiveStatus = { on: this.on, phase: this.on ? this.scheduler.phase : 'idle', runs: this.runs };
    if (this.on && this.lastLatencyMs !== undefined) status.lastLatencyMs = this.lastLatencyMs;
    if (this.on && this.note) status.note = this.note;
    if (this.on && this.what) status.what = this.what;
    this.deps.session.panel()?.showLive(status);
  }

  private debounceMs(): number {
    try {
      return this.deps.config.liveDebounceMs();
    } catch (err) {
      const failure = describeFailure(err, undefined);
      if (!this.told.has(failure.text)) {
        this.told.add(failure.text);
        this.deps.notifier.failure(failure, err);
      }
      return 300;
    }
  }

  /** The editor to follow: the active one, or the last one used while the panel has focus. */
  private editor(): vscode.TextEditor | undefined {
    return targetEditor(this.lastEditor);
  }
}

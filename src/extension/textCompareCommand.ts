// "DistilBERT: Compare Two Texts...": picks two texts (two selections, the selection and the clipboard, or the
// file and its last commit), runs both through the model under one request id (a newer request supersedes it,
// the notification's Cancel aborts it) and shows the core's TextComparison in the panel. Not to be confused with
// the fp32 / int8 comparison of one text ("Compare fp32 / int8", ClassifyCommands.compareVariants).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareTexts, type TextComparison } from '../core/compare/textCompare';
import type { Inspection } from '../core/types';
import { COMPARED_EXCERPT_CHARS, type ComparedText } from '../shared/protocol';
import { showFailure } from './failures';
import { GitHeadError, readHeadText } from './gitHead';
import type { Log } from './log';
import type { ModelService } from './modelService';
import type { Notifier } from './notify';
import { LONG_TEXT_CHARS, withProgress } from './progress';
import type { Session } from './session';
import { textProblem } from './textChecks';
import { targetEditor } from './targetEditor';

export type CompareSource = 'selections' | 'clipboard' | 'git';

/** Optional command arguments (tests, scripts, keybindings); without them the user picks a source. */
export interface CompareTextsArgs {
  source?: CompareSource;
  /** git: the file to compare with its HEAD version (default: the active editor's document). */
  uri?: vscode.Uri | string;
  /** git: skip VS Code's git extension and run the git executable (tests cover both routes). */
  gitExecutable?: boolean;
  /** Two explicit texts, compared as given (A, B); `names` label them. */
  texts?: [string, string];
  names?: [string, string];
}

/** A finished comparison that was current when it finished (the command's outcome; the session keeps the last). */
export interface TextComparisonOutcome {
  requestId: number;
  comparison: TextComparison;
  texts: [ComparedText, ComparedText];
  /** For git: which route read the HEAD version. */
  gitVia?: string;
}

interface Side {
  text: string;
  what: string;
  range?: { uri: string; start: number; end: number };
}

/** A problem with the chosen inputs; the message names it and the fix. */
class InputProblem extends Error {}

export interface TextCompareDeps {
  models: ModelService;
  /** Keeps the last comparison (for reports) and owns the panel it is shown in. */
  session: Session;
  notifier: Notifier;
  log: Log;
}

const PICKS: (vscode.QuickPickItem & { source: CompareSource })[] = [
  {
    source: 'selections',
    label: '$(selection) Two selections',
    description: 'the first two selections in the editor (multi-cursor)',
  },
  {
    source: 'clipboard',
    label: '$(clippy) Selection and clipboard',
    description: 'A = the selection, B = the text on the clipboard',
  },
  {
    source: 'git',
    label: '$(git-commit) File and its last commit',
    description: 'A = the file at git HEAD, B = the file as it is now',
  },
];

export class TextCompareCommand {
  constructor(private readonly deps: TextCompareDeps) {}

  async run(rawArgs?: unknown): Promise<TextComparisonOutcome | undefined> {
    const args = (
      rawArgs && typeof rawArgs === 'object' && !(rawArgs instanceof vscode.Uri) ? rawArgs : {}
    ) as CompareTextsArgs;
    let sides: [Side, Side];
    let gitVia: string | undefined;
    try {
      if (args.texts) {
        sides = explicit(args);
      } else {
        if (args.source !== undefined && !PICKS.some((p) => p.source === args.source)) {
          throw new InputProblem(
            `Compare Two Texts got source ${JSON.stringify(args.source)}; it must be "selections", "clipboard" or "git".`,
          );
        }
        const source = args.source ?? (await this.pickSource());
        if (!source) return undefined; // the user dismissed the pick
        if (source === 'selections') sides = twoSelections(activeEditor());
        else if (source === 'clipboard') sides = await selectionAndClipboard(activeEditor());
        else ({ sides, via: gitVia } = await this.fileAndHead(args));
      }
      for (const s of sides) {
        const problem = textProblem(s.text, s.what);
        if (problem) throw new InputProblem(problem);
      }
      if (sides[0].text === sides[1].text) {
        throw new InputProblem(
          `${capitalise(sides[0].what)} and ${sides[1].what} are the same text, so there is nothing to compare. Pick two different texts.`,
        );
      }
    } catch (err) {
      if (err instanceof InputProblem || err instanceof GitHeadError) {
        this.deps.notifier.warn(err.message);
      } else {
        // Unexpected (e.g. the clipboard or the git extension failed): say so instead of a bare command failure.
        this.deps.notifier.error(
          `Compare Two Texts could not read its inputs: ${(err as Error)?.message ?? String(err)}. See "DistilBERT: Show Log" for details.`,
          err,
        );
      }
      return undefined;
    }
    return this.compare(sides, gitVia);
  }

  private async pickSource(): Promise<CompareSource | undefined> {
    const picked = await vscode.window.showQuickPick(PICKS, {
      title: 'DistilBERT: Compare Two Texts',
      placeHolder: 'What should be compared? (A is the first, B the second; every Δ is B − A)',
    });
    return picked?.source;
  }

  private async fileAndHead(args: CompareTextsArgs): Promise<{ sides: [Side, Side]; via: string }> {
    let doc: vscode.TextDocument;
    if (args.uri) {
      const uri = typeof args.uri === 'string' ? vscode.Uri.parse(args.uri, true) : args.uri;
      try {
        doc = await vscode.workspace.openTextDocument(uri);
      } catch (err) {
        throw new InputProblem(
          `${path.basename(uri.path)} cannot be opened as text, so it cannot be compared: ${(err as Error).message}`,
        );
      }
    } else {
      doc = activeEditor().document;
    }
    const name = fileName(doc);
    const head = await readHeadText(doc.uri, {
      preferExecutable: args.gitExecutable,
      log: (l) => this.deps.log.info(l),
    });
    const now = doc.getText();
    if (head.text === now) {
      throw new InputProblem(
        `${name} has no changes since the last commit (HEAD): both versions are the same text. Edit the file, or compare two selections instead.`,
      );
    }
    const current: Side = {
      text: now,
      what: `${name} now${doc.isDirty ? ' (unsaved changes)' : ''}`,
      range: { uri: doc.uri.toString(), start: 0, end: now.length },
    };
    return { sides: [{ text: head.text, what: `${name} at HEAD` }, current], via: head.via };
  }

  private async compare(sides: [Side, Side], gitVia: string | undefined): Promise<TextComparisonOutcome | undefined> {
    const { models, session, notifier, log } = this.deps;
    const what = `comparing ${sides[0].what} with ${sides[1].what}`;
    const request = models.begin();
    log.info(`Request ${request.id}: ${what} (${sides[0].text.length} and ${sides[1].text.length} chars).`);
    session.openPanel().showRunning(request.id, what);
    const place =
      sides[0].text.length + sides[1].text.length > LONG_TEXT_CHARS
        ? { title: `DistilBERT: ${what}`, notification: true, cancel: request.cancel }
        : { title: 'DistilBERT: comparing', notification: false };
    try {
      const [a, b] = await withProgress(place, async (report) => {
        const first = await models.run('inspect', request, {
          text: sides[0].text,
          onProgress: (done, total) => report(`A: window ${done} of ${total}`),
        });
        const second = await models.run('inspect', request, {
          text: sides[1].text,
          onProgress: (done, total) => report(`B: window ${done} of ${total}`),
        });
        return [first, second] as [Inspection, Inspection];
      });
      if (!request.isCurrent()) {
        log.info(`Request ${request.id}: finished after a newer request started; its comparison is dropped.`);
        return undefined;
      }
      const comparison = compareTexts(a, b);
      const texts = sides.map((s): ComparedText => ({
        what: s.what,
        excerpt: s.text.slice(0, COMPARED_EXCERPT_CHARS),
        length: s.text.length,
        ...s.range,
      })) as [ComparedText, ComparedText];
      session.showComparison({
        requestId: request.id,
        comparison,
        texts,
        fullTexts: [sides[0].text, sides[1].text],
        ...(gitVia ? { gitVia } : {}),
      });
      log.info(
        `Request ${request.id}: A ${comparison.a.label}, B ${comparison.b.label}; Δ logits ${comparison.logitDelta.map((x) => x.toFixed(3)).join(', ')}` +
          `${gitVia ? ` (HEAD read by the ${gitVia})` : ''}.`,
      );
      return { requestId: request.id, comparison, texts, ...(gitVia ? { gitVia } : {}) };
    } catch (err) {
      if (!request.isCurrent()) return undefined; // superseded: the newer request owns the panel now
      showFailure(err, models.currentChoice(), notifier, {
        cancelled: () => {
          log.info(`Request ${request.id}: comparison cancelled.`);
          session.panel()?.showCancelled(request.id, 'Comparison cancelled; showing what was there before.');
        },
        error: (text) => session.panel()?.showError(request.id, text),
      });
      return undefined;
    }
  }
}

function explicit(args: CompareTextsArgs): [Side, Side] {
  const t = args.texts!;
  if (!Array.isArray(t) || t.length !== 2 || !t.every((x) => typeof x === 'string')) {
    throw new InputProblem(
      'Compare Two Texts was given texts that are not two strings. Pass { texts: ["first", "second"] }.',
    );
  }
  const names = args.names ?? ['text A', 'text B'];
  return [
    { text: t[0], what: String(names[0]) },
    { text: t[1], what: String(names[1]) },
  ];
}

function activeEditor(): vscode.TextEditor {
  const editor = targetEditor();
  if (!editor) {
    throw new InputProblem(
      'Open a text file first: Compare Two Texts reads two selections, the selection and the clipboard, or the file and its last commit from the editor.',
    );
  }
  return editor;
}

function twoSelections(editor: vscode.TextEditor): [Side, Side] {
  const doc = editor.document;
  const name = fileName(doc);
  // Document order, so A is the earlier text whichever selection was made first.
  const chosen = editor.selections.filter((s) => !s.isEmpty).sort((x, y) => x.start.compareTo(y.start));
  if (chosen.length < 2) {
    throw new InputProblem(
      `Comparing two selections needs two non-empty selections in ${name}, and there ${chosen.length === 1 ? 'is 1' : 'are none'}. ` +
        'Select the first text, then hold Alt (Option on macOS) and drag to select the second, and run the command again.',
    );
  }
  return chosen.slice(0, 2).map((sel, i): Side => {
    const start = doc.offsetAt(sel.start);
    const end = doc.offsetAt(sel.end);
    return {
      text: doc.getText(sel),
      what: `selection ${i + 1} in ${name} (line ${sel.start.line + 1})`,
      range: { uri: doc.uri.toString(), start, end },
    };
  }) as [Side, Side];
}

async function selectionAndClipboard(editor: vscode.TextEditor): Promise<[Side, Side]> {
  const doc = editor.document;
  const name = fileName(doc);
  const sel = editor.selection;
  if (sel.isEmpty) {
    throw new InputProblem(
      `Nothing is selected in ${name}. Select the text to compare with the clipboard, then run the command again.`,
    );
  }
  const clip = await vscode.env.clipboard.readText();
  if (clip.trim() === '') {
    throw new InputProblem(
      'The clipboard holds no text. Copy the text to compare with the selection, then run the command again.',
    );
  }
  return [
    {
      text: doc.getText(sel),
      what: `the selection in ${name}`,
      range: { uri: doc.uri.toString(), start: doc.offsetAt(sel.start), end: doc.offsetAt(sel.end) },
    },
    { text: clip, what: 'the clipboard' },
  ];
}

function fileName(doc: vscode.TextDocument): string {
  return doc.isUntitled ? doc.uri.path : path.basename(doc.fileName);
}

/** Sentence start: "the selection" -> "The selection", "selection 1" -> "Selection 1"; file names keep their case. */
function capitalise(s: string): string {
  return /^(the|selection|text) /.test(s) ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

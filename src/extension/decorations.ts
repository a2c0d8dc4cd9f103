// Per-window results in the editor: a subtle note at the end of the line where each window ends (a window
// can end mid-word, where a note would split the word; but a selection's last window ends where the user chose,
// so its note sits right after the selected text, not at the end of the paragraph), and a hover over the window's exact character range
// giving label, probabilities and extent. Offsets go stale on the first edit, so any change to the document
// clears them; they are re-applied when the document's editor becomes visible again.
import * as vscode from 'vscode';
import type { Inspection } from '../core/types';
import type { Config } from './config';
import { percent } from './statusBar';
import { decorationListeners } from './decorationListeners';

interface Applied {
  version: number;
  /** Unstyled, over each window's range: carries the hover. */
  extents: vscode.DecorationOptions[];
  /** Zero-width at the end of each window's last line: carries the note. */
  notes: vscode.DecorationOptions[];
}

export class WindowDecorations implements vscode.Disposable {
  private readonly noteType: vscode.TextEditorDecorationType;
  private readonly extentType: vscode.TextEditorDecorationType;
  private readonly byUri = new Map<string, Applied>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly config: Config) {
    this.noteType = vscode.window.createTextEditorDecorationType({
      after: {
        margin: '0 0 0 1.5em',
        color: new vscode.ThemeColor('editorCodeLens.foreground'),
        fontStyle: 'italic',
      },
    });
    this.extentType = vscode.window.createTextEditorDecorationType({
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.disposables.push(
      this.noteType,
      this.extentType,
      ...decorationListeners(
        {
          clear: (uri) => this.clear(uri),
          forget: (uri) => this.byUri.delete(uri.toString()),
          paint: (ed) => this.paint(ed),
        },
        config,
        'decorations.enabled',
      ),
    );
  }

  /**
   * Decorates `document` with the windows of `inspection`, whose text started at document offset `baseOffset`;
   * `selection`: the text was a selection, whose end takes the last note.
   */
  show(document: vscode.TextDocument, inspection: Inspection, baseOffset: number, selection = false): void {
    const n = inspection.windows.length;
    const notes: vscode.DecorationOptions[] = [];
    const extents = inspection.windows.map((w, i): vscode.DecorationOptions => {
      const range = new vscode.Range(
        document.positionAt(baseOffset + w.start),
        document.positionAt(baseOffset + w.end),
      );
      const p = w.probabilities[w.label] ?? 0;
      const name = n > 1 ? `window ${i + 1}/${n}: ` : '';
      const hover = new vscode.MarkdownString();
      hover.appendMarkdown(`**DistilBERT** ${name}`);
      hover.appendText(`${w.label} ${percent(p)}`);
      hover.appendMarkdown('\n\n');
      for (const label of inspection.model.labels)
        hover.appendText(`${label}: ${percent(w.probabilities[label] ?? 0)}\n`);
      hover.appendMarkdown('\n');
      hover.appendText(
        `Characters ${baseOffset + w.start}–${baseOffset + w.end} (lines ${range.start.line + 1}–${range.end.line + 1}), ` +
          `${w.tokenCount} tokens${w.truncated ? ', truncated' : ''}.`,
      );
      const at = selection && i === n - 1 ? range.end : document.lineAt(range.end.line).range.end;
      notes.push({
        range: new vscode.Range(at, at),
        hoverMessage: hover,
        renderOptions: { after: { contentText: `${n > 1 ? `W${i + 1} ` : ''}${w.label} ${percent(p)}` } },
      });
      return { range, hoverMessage: hover };
    });
    this.byUri.set(document.uri.toString(), { version: document.version, extents, notes });
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document === document) this.paint(editor);
    }
  }

  /** The ranges decorated in a document's editors right now (empty when decorations are off); for tests. */
  ranges(uri: vscode.Uri): vscode.Range[] {
    if (!this.config.decorationsEnabled()) return [];
    return this.byUri.get(uri.toString())?.extents.map((o) => o.range) ?? [];
  }

  /** Where each window's note is drawn (empty when decorations are off); for tests. */
  notePositions(uri: vscode.Uri): vscode.Position[] {
    if (!this.config.decorationsEnabled()) return [];
    return this.byUri.get(uri.toString())?.notes.map((o) => o.range.start) ?? [];
  }

  clear(uri: vscode.Uri): void {
    const key = uri.toString();
    if (!this.byUri.delete(key)) return;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === key) {
        editor.setDecorations(this.noteType, []);
        editor.setDecorations(this.extentType, []);
      }
    }
  }

  private paint(editor: vscode.TextEditor): void {
    const applied = this.byUri.get(editor.document.uri.toString());
    const show =
      applied !== undefined && applied.version === editor.document.version && this.config.decorationsEnabled();
    editor.setDecorations(this.noteType, show ? applied.notes : []);
    editor.setDecorations(this.extentType, show ? applied.extents : []);
  }

  dispose(): void {
    this.byUri.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

// Occlusion in the editor: a background tint over each word's exact character range (document offset =
// source.baseOffset + the item's offset), coloured by the sign of its effect on the predicted label and in three
// strengths relative to the run's largest effect, with the exact values on hover. Themeable colours
// (contributes.colors). Like the window notes, offsets go stale on the first edit: any change clears them.
import * as vscode from 'vscode';
import { METHOD_NAMES, describeCost, type AttributedItem, type AttributionResult } from '../core/attribution/explain';
import { describeFaithfulness } from '../core/attribution/faithfulness';
import type { OcclusionItem, OcclusionResult } from '../core/attribution/occlusion';
import type { Config } from './config';
import { decorationListeners } from './decorationListeners';

/** One tinted word: its document range and how much it supports the predicted label (−Δ logit). */
export interface TintedRange {
  range: vscode.Range;
  support: number;
  level: Level;
}

type Level = 'towardStrong' | 'towardMedium' | 'towardWeak' | 'againstStrong' | 'againstMedium' | 'againstWeak';
const LEVELS: readonly Level[] = [
  'towardStrong',
  'towardMedium',
  'towardWeak',
  'againstStrong',
  'againstMedium',
  'againstWeak',
];

interface Applied {
  version: number;
  tints: TintedRange[];
  options: Map<Level, vscode.DecorationOptions[]>;
}

/** Which tint a word gets: sign of its support, strength in thirds of the largest |support|. */
export function tintLevel(support: number, maxAbs: number): Level {
  const r = maxAbs > 0 ? Math.abs(support) / maxAbs : 0;
  const strength = r > 2 / 3 ? 'Strong' : r > 1 / 3 ? 'Medium' : 'Weak';
  return `${support >= 0 ? 'toward' : 'against'}${strength}` as Level;
}

export class OcclusionTint implements vscode.Disposable {
  private readonly types = new Map<Level, vscode.TextEditorDecorationType>();
  private readonly byUri = new Map<string, Applied>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly config: Config) {
    for (const level of LEVELS) {
      const type = vscode.window.createTextEditorDecorationType({
        backgroundColor: new vscode.ThemeColor(`distilbertInspector.occlusion.${level}`),
        borderRadius: '2px',
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      this.types.set(level, type);
      this.disposables.push(type);
    }
    this.disposables.push(
      ...decorationListeners(
        {
          clear: (uri) => this.clear(uri),
          forget: (uri) => this.byUri.delete(uri.toString()),
          paint: (ed) => this.paint(ed),
        },
        config,
        'occlusion.editorTint',
      ),
    );
  }

  /** Tints `document` with `result`, whose text started at document offset `baseOffset`. */
  show(document: vscode.TextDocument, result: OcclusionResult, baseOffset: number): TintedRange[] {
    const k = Math.max(0, result.labels.indexOf(result.label));
    const supports = result.items.map((it) => -(it.deltaLogits[k] ?? 0));
    return this.paintItems(
      document,
      result.items.map((it, i) => ({ ...it, support: supports[i]!, hover: hover(result, it, supports[i]!) })),
      baseOffset,
    );
  }

  /** Tints with another method's scores (SHAP, rollout): the editor follows the method picked in the panel. */
  showAttribution(document: vscode.TextDocument, result: AttributionResult, baseOffset: number): TintedRange[] {
    return this.paintItems(
      document,
      result.items.map((it) => ({ ...it, support: it.score, hover: attributionHover(result, it) })),
      baseOffset,
    );
  }

  private paintItems(
    document: vscode.TextDocument,
    items: { start: number; end: number; support: number; hover: vscode.MarkdownString }[],
    baseOffset: number,
  ): TintedRange[] {
    const maxAbs = Math.max(0, ...items.map((it) => Math.abs(it.support)));
    const options = new Map<Level, vscode.DecorationOptions[]>(LEVELS.map((l) => [l, []]));
    const tints: TintedRange[] = [];
    items.forEach((it) => {
      if (it.end <= it.start) return;
      const support = it.support;
      const level = tintLevel(support, maxAbs);
      const range = new vscode.Range(
        document.positionAt(baseOffset + it.start),
        document.positionAt(baseOffset + it.end),
      );
      tints.push({ range, support, level });
      options.get(level)!.push({ range, hoverMessage: it.hover });
    });
    this.byUri.set(document.uri.toString(), { version: document.version, tints, options });
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document === document) this.paint(editor);
    }
    return tints;
  }

  /** The tints shown in a document's editors right now (empty when the setting is off); for tests. */
  tints(uri: vscode.Uri): TintedRange[] {
    if (!this.config.occlusionEditorTint()) return [];
    return this.byUri.get(uri.toString())?.tints ?? [];
  }

  clear(uri: vscode.Uri): void {
    const key = uri.toString();
    if (!this.byUri.delete(key)) return;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === key)
        for (const type of this.types.values()) editor.setDecorations(type, []);
    }
  }

  private paint(editor: vscode.TextEditor): void {
    const applied = this.byUri.get(editor.document.uri.toString());
    const show =
      applied !== undefined && applied.version === editor.document.version && this.config.occlusionEditorTint();
    for (const [level, type] of this.types) editor.setDecorations(type, show ? applied.options.get(level)! : []);
  }

  dispose(): void {
    this.byUri.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function hover(result: OcclusionResult, it: OcclusionItem, support: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**DistilBERT occlusion** · removing ');
  md.appendText(`“${it.text}”`);
  md.appendMarkdown(
    support >= 0
      ? ` lowers **${escape(result.label)}**: it pushed toward it.`
      : ` raises **${escape(result.label)}**: it pushed against it.`,
  );
  md.appendMarkdown('\n\n');
  result.labels.forEach((label, i) => {
    const dp = it.deltaProbabilities[i] ?? 0;
    md.appendText(
      `${label}: Δ logit ${fmt(it.deltaLogits[i] ?? 0)} (${fmt(result.baselineLogits[i] ?? 0)} → ${fmt(it.logits[i] ?? 0)}), Δ prob ${dp >= 0 ? '+' : ''}${(dp * 100).toFixed(2)} pt\n`,
    );
  });
  md.appendMarkdown('\n');
  md.appendText(
    `${it.tokenIndices.length} word piece${it.tokenIndices.length === 1 ? '' : 's'} removed; ${result.forwardPasses} forward passes in all.`,
  );
  return md;
}

function attributionHover(result: AttributionResult, it: AttributedItem): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**DistilBERT ${escape(METHOD_NAMES[result.method])}** · `);
  md.appendText(`“${it.text}”: ${fmt(it.score)} (${result.scoreMeaning})`);
  md.appendMarkdown('\n\n');
  md.appendText(describeCost(result));
  if (result.faithfulness) md.appendText(`; ${describeFaithfulness(result.faithfulness)}`);
  return md;
}

function fmt(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toPrecision(4)}`;
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

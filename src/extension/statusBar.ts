// The one status bar item: the latest result's label and probability; clicking it opens the inspector.
import * as vscode from 'vscode';
import type { Inspection } from '../core/types';

export class ResultStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(openCommand: string) {
    this.item = vscode.window.createStatusBarItem('distilbertInspector.result', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'DistilBERT Inspector';
    this.item.command = openCommand;
  }

  /** The text currently shown (for tests). */
  text(): string {
    return this.item.text;
  }

  showRunning(what: string): void {
    this.set('$(sync~spin) DistilBERT', `DistilBERT: classifying ${what}...`);
  }

  /** A (re)loaded model after a settings change: any error about the old one is gone. */
  showReady(model: { name: string }): void {
    this.set('$(check) DistilBERT', `DistilBERT: model ready (${model.name}). Click to open the Activation Inspector.`);
  }

  showResult(inspection: Inspection, what: string): void {
    const { label, probabilities } = inspection.aggregate;
    const p = probabilities[label] ?? 0;
    const n = inspection.windows.length;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown('**DistilBERT** — ');
    tip.appendText(`${label} ${percent(p)} for ${what}`);
    tip.appendText(n > 1 ? ` (mean of ${n} windows, weighted by tokens)` : '');
    tip.appendText(`\nModel: ${inspection.model.name}, ${graphName(inspection)}`);
    tip.appendMarkdown('\n\nClick to open the Activation Inspector.');
    const spoken = `DistilBERT: ${label} ${percent(p)} for ${what}${n > 1 ? `, mean of ${n} windows` : ''}. Model ${inspection.model.name}. Click to open the Activation Inspector.`;
    this.set(`$(beaker) ${noIcons(label)} ${percent(p)}`, tip, spoken);
  }

  showError(message: string): void {
    this.set('$(error) DistilBERT', `DistilBERT: ${message}`);
  }

  showCancelled(): void {
    this.set('$(circle-slash) DistilBERT', 'DistilBERT: the last classification was cancelled.');
  }

  /**
   * `spoken` is the screen reader's name for the item: plain words, never the tooltip's Markdown (VS Code would
   * otherwise build the name from the text and the raw Markdown source).
   */
  private set(
    text: string,
    tooltip: string | vscode.MarkdownString,
    spoken = typeof tooltip === 'string' ? tooltip : text,
  ): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: spoken, role: 'button' };
    this.item.show();
  }

  /** The name screen readers announce (for tests). */
  accessibleName(): string {
    return this.item.accessibilityInformation?.label ?? '';
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** Which graph computed the numbers: "int8 graph (model_int8.onnx)". */
export function graphName(inspection: Inspection): string {
  const file = inspection.model.onnxFile.split(/[\\/]/).pop() ?? inspection.model.onnxFile;
  return `${inspection.model.variant ?? 'fp32'} graph (${file})`;
}

/** "97.3%", the same rounding the panel uses. */
export function percent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** Labels come from the model's config.json: keep `$(name)` in them from turning into icons. */
function noIcons(label: string): string {
  return label.replace(/\$\(/g, '$\u200b(');
}

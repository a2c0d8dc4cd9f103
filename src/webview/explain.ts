// Renders the stage explanations (data from src/core/present/stageText.ts, the one source of their wording) as
// DOM: paragraphs of text nodes, <code>, <strong> and links that open in the browser. Nothing here is markup.
import { stageText, type Explanation, type Inline } from '../core/present/stageText';
import type { HeadTerms } from './heads';
import { h, link } from './dom';

function inline(x: Inline): Node | string {
  if (typeof x === 'string') return x;
  if ('code' in x) return h('code', {}, x.code);
  if ('strong' in x) return h('strong', {}, x.strong);
  if ('link' in x) return link(x.link, x.text);
  return x.panelOnly;
}

const paragraph = (parts: Inline[]): HTMLParagraphElement => h('p', { class: 'explain' }, ...parts.map(inline));

/** One paragraph as a <p class="explain">; several in a <div class="explain">. */
export function explainView(e: Explanation, attrs: Record<string, string> = {}): HTMLElement {
  if (e.length === 1 && Object.keys(attrs).length === 0) return paragraph(e[0]!);
  return h('div', { class: 'explain', ...attrs }, ...e.map(paragraph));
}

/** Why the head has a dense layer at all (sourced); the report words it the same. */
export function explainLens(t: HeadTerms): HTMLElement {
  return explainView(stageText.whyDense(t), { 'data-testid': 'why-dense' });
}

// Renders the stage explanations (data from ../present/stageText.ts, the one source of their wording, which the
// panel renders to DOM) as Markdown. Text goes through mdText; the links are the module's own constant URLs.
import type { Explanation, Inline } from '../present/stageText';
import { mdText } from './escape';

/** An inline code span that shows `s` verbatim: its fence is longer than any backtick run inside. */
function codeSpan(s: string): string {
  const runs = s.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/[\r\n]+/g, ' ')}${pad}${fence}`;
}

/** A link destination that cannot end early: spaces, parentheses and angle brackets percent-encoded. */
const destination = (url: string): string =>
  url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

function inline(x: Inline): string {
  if (typeof x === 'string') return mdText(x);
  if ('code' in x) return codeSpan(x.code);
  if ('strong' in x) return `**${mdText(x.strong.trim())}**${x.strong.endsWith(' ') ? ' ' : ''}`;
  if ('link' in x) return `[${mdText(x.text)}](${destination(x.link)})`;
  return ''; // about the panel's controls: a report has none
}

/** Paragraphs separated by blank lines; sentences about the panel's controls are left out. */
export function mdExplanation(e: Explanation): string {
  return e.map((p) => p.map(inline).join('').trim()).join('\n\n');
}

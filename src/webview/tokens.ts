// The input as word-piece chips. Chip text is the piece itself (textContent, so hostile text stays text);
// hover shows the id and the character range; click/Enter reveals that range in the editor. One tab stop for
// the whole list (roving tabindex), arrow keys move between chips.
import { h, int, rovingList } from './dom';
import type { TokenSpan, WindowResult } from '../core/types';

export interface TokenCallbacks {
  reveal(start: number, end: number): void;
}

function chip(t: TokenSpan, index: number, joined: boolean): HTMLElement {
  const range = t.special ? 'special token, no text' : `chars ${t.start}–${t.end}`;
  return h(
    'span',
    {
      class: `chip${t.special ? ' special' : ''}${joined ? ' joined' : ''}`,
      role: 'listitem',
      tabindex: index === 0 ? 0 : -1,
      title: `${t.text} · id ${t.id} · ${range}`,
      'data-index': index,
      'data-start': t.start,
      'data-end': t.end,
    },
    t.text,
  );
}

/** Where the model stopped reading, placed before the trailing special tokens. */
function truncationMarker(w: WindowResult, textLength: number): HTMLElement {
  const lastEnd = w.tokens.reduce((m, t) => (t.special ? m : Math.max(m, t.end)), w.start);
  const unseen = Math.max(0, textLength - lastEnd);
  return h(
    'span',
    {
      class: 'truncation',
      'data-testid': 'truncation',
      role: 'listitem',
      title: `Truncated: the model stopped reading at char ${lastEnd}; ${int(unseen)} more characters were not seen.`,
    },
    `✂ truncated at char ${int(lastEnd)} (${int(unseen)} chars not seen)`,
  );
}

export function tokenChips(w: WindowResult, textLength: number, cb: TokenCallbacks): HTMLElement {
  const list = h('div', {
    class: 'chips',
    role: 'list',
    'data-testid': 'tokens',
    'aria-label': `${w.tokens.length} word pieces`,
  });
  let trailing = w.tokens.length;
  while (trailing > 0 && w.tokens[trailing - 1]?.special) trailing--;
  w.tokens.forEach((t, i) => {
    if (w.truncated && i === trailing) list.appendChild(truncationMarker(w, textLength));
    const prev = w.tokens[i - 1];
    const joined = !!prev && !prev.special && !t.special && prev.end === t.start;
    list.appendChild(chip(t, i, joined));
  });
  if (w.truncated && trailing === w.tokens.length) list.appendChild(truncationMarker(w, textLength));

  rovingList(list, '.chip', (el) => {
    const start = Number(el.getAttribute('data-start'));
    const end = Number(el.getAttribute('data-end'));
    if (!el.classList.contains('special') && end > start) cb.reveal(start, end);
  });
  return list;
}

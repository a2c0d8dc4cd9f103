// What screen readers hear, and the quiet note about the model. The panel re-renders its content on every
// change, so the live region lives outside it (in the HTML shell) and only its text changes: a polite
// announcement of each run's progress and of the verdict, never of the whole page.
import type { ModelNote, PersistedState } from '../shared/protocol';
import { h, int, pct } from './dom';

/** One sentence for the panel's live region, from the state on show. */
export function announcement(st: PersistedState): string {
  const view = st.panel.view;
  switch (view.kind) {
    case 'empty':
      return view.note ?? '';
    case 'running':
      return view.total
        ? `Classifying ${view.what}: window ${int(view.done ?? 0)} of ${int(view.total)} done.`
        : `Classifying ${view.what}.`;
    case 'error':
      return `Classification failed. ${view.message}`;
    case 'result': {
      const a = view.inspection.aggregate;
      const verdict = `Result: ${a.label} ${pct(a.probabilities[a.label] ?? 0)}.`;
      return view.notice ? `${view.notice} ${verdict}` : verdict;
    }
    case 'comparison':
      return view.notice ?? `Comparison: A ${view.comparison.a.label}, B ${view.comparison.b.label}.`;
  }
}

/** Sets the live region's text when it changed (setting the same text again would repeat it in some readers). */
export function announce(region: HTMLElement | null, text: string): void {
  if (region && region.textContent !== text) region.textContent = text;
}

/** The model note under a result: the card's figure, a link to the card and the offer of a full-size model. */
export function modelNoteLine(note: ModelNote, actions: { openModelCard(): void; switchModel(): void }): HTMLElement {
  const card = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      'data-testid': 'model-card',
      title: 'Open the model card (how it was trained and measured)',
    },
    'model card',
  );
  card.addEventListener('click', () => actions.openModelCard());
  const sw = note.switchTo
    ? h(
        'button',
        {
          type: 'button',
          class: 'link-button',
          'data-testid': 'switch-model',
          title: `Download ${note.switchTo} from the hub (its size is shown before anything is downloaded)`,
        },
        'Use a full-size model…',
      )
    : null;
  sw?.addEventListener('click', () => actions.switchModel());
  return h('p', { class: 'model-note', 'data-testid': 'model-note' }, `${note.text} · `, card, sw ? ' · ' : null, sw);
}

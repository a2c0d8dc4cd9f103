// The live bar at the top of the panel: a switch for live inspection (the selection, or the paragraph at the
// cursor, re-classified as the user types or moves it) and what it is doing, with the last run's latency.
import type { LiveStatus } from '../shared/protocol';
import { h, int } from './dom';

/** Live is off until the host says otherwise (it is off after every reload). */
export const liveOff: LiveStatus = { on: false, phase: 'idle', runs: 0 };

function phaseText(live: LiveStatus): string {
  if (!live.on)
    return 'Off: switch on to re-classify the selection (or the paragraph at the cursor) as you type or move it.';
  if (live.note) return live.note;
  if (live.phase === 'running') return 'Classifying…';
  if (live.phase === 'waiting') return 'Waiting for a pause in typing…';
  if (live.runs > 0) return live.what ? `Showing ${live.what}.` : 'Up to date.';
  return 'Move the cursor or select text in an editor.';
}

export function liveBar(live: LiveStatus, setLive: (on: boolean) => void): HTMLElement {
  const toggle = h(
    'button',
    {
      type: 'button',
      class: `live-toggle${live.on ? ' on' : ''}`,
      'data-testid': 'live-toggle',
      'data-focus-key': 'live-toggle',
      'aria-pressed': live.on ? 'true' : 'false',
      title: live.on
        ? 'Stop re-classifying as you type (DistilBERT: Toggle Live Inspection)'
        : 'Re-classify the selection as you type or move it (DistilBERT: Toggle Live Inspection)',
    },
    live.on ? '● Live' : '○ Live',
  );
  toggle.addEventListener('click', () => setLive(!live.on));
  const latency =
    live.on && live.lastLatencyMs !== undefined
      ? h(
          'span',
          {
            class: 'live-latency',
            'data-testid': 'live-latency',
            title: `Wall time of live run ${live.runs}, ${live.lastLatencyMs.toFixed(1)} ms (worker round trip included)`,
          },
          `last run ${int(Math.round(live.lastLatencyMs))} ms · ${int(live.runs)} run${live.runs === 1 ? '' : 's'}`,
        )
      : null;
  return h(
    'div',
    { class: `live-bar phase-${live.on ? live.phase : 'off'}`, 'data-testid': 'live-bar' },
    toggle,
    h(
      'span',
      { class: 'live-phase', 'data-testid': 'live-phase', role: 'status', 'aria-live': 'polite' },
      phaseText(live),
    ),
    latency,
  );
}

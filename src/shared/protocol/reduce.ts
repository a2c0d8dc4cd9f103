// The stale-result rule, shared by host (PanelModel) and webview (main.ts) so both apply exactly the same logic.
import type { HostToWebview } from './messages';
import type { PanelState } from './viewState';

export function assertNever(x: never, what = 'message'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(x)}`);
}

/**
 * Applies a host message to the panel state. Returns undefined when the message is stale: a running, result
 * or error whose request id is older than the newest one seen. Equal ids are accepted (running, then its result).
 */
export function reduce(state: PanelState, msg: HostToWebview): PanelState | undefined {
  switch (msg.type) {
    case 'running': {
      if (msg.requestId < state.newest) return undefined;
      const { type: _, ...fields } = msg;
      return { newest: msg.requestId, view: { kind: 'running', ...fields } };
    }
    case 'result': {
      if (msg.requestId < state.newest) return undefined;
      const { type: _, ...fields } = msg;
      return { newest: msg.requestId, view: { kind: 'result', ...fields } };
    }
    case 'error': {
      if (msg.requestId < state.newest) return undefined;
      const { type: _, ...fields } = msg;
      return { newest: msg.requestId, view: { kind: 'error', ...fields } };
    }
    case 'comparison': {
      if (msg.requestId < state.newest) return undefined;
      const { type: _, ...fields } = msg;
      return { newest: msg.requestId, view: { kind: 'comparison', ...fields } };
    }
    case 'compare':
      // Only for the result on show: a comparison of an older result must not appear under a newer one.
      if (state.view.kind !== 'result' || state.view.requestId !== msg.requestId) return undefined;
      return { newest: state.newest, view: { ...state.view, compare: msg.compare } };
    case 'occlusion':
      // Like a comparison: only under its own result, never under a newer one.
      if (state.view.kind !== 'result' || state.view.requestId !== msg.requestId) return undefined;
      return { newest: state.newest, view: { ...state.view, occlusion: msg.occlusion } };
    case 'explanation':
    case 'attention':
      if (state.view.kind !== 'result' || state.view.requestId !== msg.requestId) return undefined;
      return {
        newest: state.newest,
        view:
          msg.type === 'explanation'
            ? { ...state.view, explanation: msg.explanation }
            : { ...state.view, attention: msg.attention },
      };
    case 'restore':
      return msg.state;
    case 'progress':
      if (state.view.kind !== 'running' || state.view.requestId !== msg.requestId) return undefined;
      return { newest: state.newest, view: { ...state.view, done: msg.done, total: msg.total } };
    case 'live':
    case 'modelNote':
      return state; // not panel state; main.ts keeps them beside the PersistedState
    default:
      return assertNever(msg);
  }
}

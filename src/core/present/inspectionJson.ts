// The JSON contract of `--json` and "Export Inspection as JSON" (README, "JSON contract"): scripts rely on it,
// so it keeps its field names when the code renames one. In memory the head activation's output is
// `stages.activation` (ReLU or tanh); in JSON it keeps its first name, `stages.relu`, and `model.head.activation`
// says which function it is. Panel state saved by an earlier version, with `relu`, is read back here too.
import type { Inspection, Stages, WindowResult } from '../types';

/** A window's stages as JSON writes them: `relu` holds the activation's output (ReLU or tanh). */
export type JsonStages = Omit<Stages, 'activation'> & { relu: number[] };

/** Stages in the JSON contract's order and names. */
export function stagesToJson(s: Stages): JsonStages {
  const { cls, preClassifier, activation, layers, ...rest } = s;
  return { cls, preClassifier, relu: activation, layers, ...rest };
}

/** One window (with whatever it carries, e.g. `attention`) as JSON writes it. */
export function windowToJson<W extends WindowResult>(w: W): Omit<W, 'stages'> & { stages: JsonStages } {
  return { ...w, stages: stagesToJson(w.stages) };
}

/** A whole inspection as `--json` and the JSON export write it. */
export function inspectionToJson(
  ins: Inspection,
): Omit<Inspection, 'windows'> & { windows: (Omit<WindowResult, 'stages'> & { stages: JsonStages })[] } {
  return { ...ins, windows: ins.windows.map(windowToJson) };
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Panel state persisted by an earlier version named the activation's output `relu`: gives such a state's
 * result the current name (in place), so a window reload after an update still restores the panel. Anything
 * else passes through untouched for the protocol's guards to judge.
 */
export function upgradeSavedStages(state: unknown): unknown {
  const view = isObj(state) && isObj(state['panel']) ? state['panel']['view'] : undefined;
  const windows = isObj(view) && isObj(view['inspection']) ? view['inspection']['windows'] : undefined;
  if (!Array.isArray(windows)) return state;
  for (const w of windows) {
    const s = isObj(w) ? w['stages'] : undefined;
    if (isObj(s) && s['activation'] === undefined && s['relu'] !== undefined) {
      s['activation'] = s['relu'];
      delete s['relu'];
    }
  }
  return state;
}

// The one owner of "the result on show": the inspection the panel presents as current, with the text it was
// computed from, where that text came from and its request id. Whatever produced it (a classify command or a
// live run) puts it here, and every command about "the current result" (occlusion, the fp32 / int8 comparison,
// JSON and Markdown exports, Open Inspector) reads it from here, so they all act on what the person sees.
// Free of `vscode`: the panel is reached through the `present` callback that activate wires.
import type { Inspection } from '../core/types';
import type { PanelSource } from '../shared/protocol';

/** A result on show: what the commands about "the current result" act on. */
export interface ShownResult {
  requestId: number;
  inspection: Inspection;
  source: PanelSource;
  /** The classified text (occlusion and the comparisons run it again; reports quote it). */
  text: string;
  /** What produced it. */
  origin: 'command' | 'live';
  /** What was classified, in words ("the selection in a.md"), for the status bar when a cancel brings it back. */
  what: string;
}

export class Session {
  private shown: ShownResult | undefined;

  /** `present` puts a result in the panel (if one is open); it runs for every result the session accepts. */
  constructor(private readonly present: (result: ShownResult) => void) {}

  /**
   * Puts `result` on show, unless a newer request's result is already there (request ids grow across all
   * commands, so a result that arrives late never replaces a newer one). Returns whether it was accepted.
   */
  show(result: ShownResult): boolean {
    if (this.shown && result.requestId < this.shown.requestId) return false;
    this.shown = result;
    this.present(result);
    return true;
  }

  /** The result on show, if any. */
  current(): ShownResult | undefined {
    return this.shown;
  }

  /** The result on show if it is request `requestId`'s (a panel button names the result it was drawn under). */
  resultOf(requestId: number): ShownResult | undefined {
    return this.shown?.requestId === requestId ? this.shown : undefined;
  }
}

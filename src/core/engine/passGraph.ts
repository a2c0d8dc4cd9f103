// Where occlusion's and the explanations' passes run: the passes copy (onnx/passesCopy.ts, the last block on the
// [CLS] row only), checked once against the full graph on the first pass it is given, with its own lanes for an
// int8 graph. Anything that stops the copy (an export whose last block is not recognised, a cache that cannot be
// written, a check that fails) leaves the passes on the full graph, as before the copy existed.
import type * as Ort from 'onnxruntime-node';
import { preparePassesModel } from '../onnx/passesCopy';
import type { HeadKind } from '../onnx/taps';
import { Lanes } from './lanes';
import { openSession } from './ortRuntime';

/** Lanes on one file, opened on first use, forgotten when they close after idling or fail to open. */
export class LaneSlot {
  private lanes: Promise<Lanes> | undefined;

  constructor(
    readonly file: string,
    private readonly count: number,
  ) {}

  get isOpen(): boolean {
    return this.lanes !== undefined;
  }

  /** The open lanes; undefined when they fail to open (the run then stays on a session). */
  open(): Promise<Lanes | undefined> {
    this.lanes ??= Lanes.open(this.file, this.count, () => (this.lanes = undefined));
    this.lanes.catch(() => (this.lanes = undefined));
    return this.lanes.catch(() => undefined);
  }

  async close(): Promise<void> {
    const lanes = await this.lanes?.catch(() => undefined);
    this.lanes = undefined;
    await lanes?.close();
  }
}

export interface PassGraph {
  session: Ort.InferenceSession;
  /** The copy's only output. */
  logits: string;
  lanes: LaneSlot;
}

export interface PassGraphSource {
  onnxFile: string;
  tappedPath: string;
  headKind?: HeadKind;
  nLayers: number;
  threads: number;
  /** A dynamically quantized graph: the copy's last block quantizes over the [CLS] row only (see passesCopy.ts). */
  quantized: boolean;
  /** The full graph's logits of the sample, and the copy's (one sequence each). */
  fullLogits(): Promise<Float32Array>;
  copyLogits(session: Ort.InferenceSession, output: string): Promise<Float32Array>;
}

/** The passes copy, opened and checked; undefined when it cannot be used (the reason goes to `note`). */
export async function openPassGraph(src: PassGraphSource, note: (why: string) => void): Promise<PassGraph | undefined> {
  let session: Ort.InferenceSession | undefined;
  try {
    const file = await preparePassesModel(src.onnxFile, src.tappedPath, src.headKind, src.nLayers);
    session = await openSession(file, src.threads, src.onnxFile);
    const logits = session.outputNames[0]!;
    const [full, copy] = [await src.fullLogits(), await src.copyLogits(session, logits)];
    const gap = maxGap(full, copy);
    // fp32: the same sums in another order. int8: the last block's activation scales change, by about the int8
    // rounding of the graph itself (at most 0.05 on the test fixtures, 0.002 on the bundled model); a copy that
    // computed something else misses by the size of the logits.
    const scale = 1 + Math.max(...Array.from(full, Math.abs));
    const allowed = (src.quantized ? 0.1 : 1e-4) * scale;
    if (!(gap <= allowed) || full.length !== copy.length) {
      throw new Error(
        `its logits differ from the full graph's by ${gap.toPrecision(3)} (allowed ${allowed.toPrecision(3)})`,
      );
    }
    return { session, logits, lanes: new LaneSlot(file, src.threads) };
  } catch (e) {
    await session?.release();
    note(`passes run on the full graph: ${(e as Error).message}`);
    return undefined;
  }
}

function maxGap(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

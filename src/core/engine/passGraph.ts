// Where occlusion's and the explanations' passes run: the passes copy (onnx/passesCopy.ts, the last block on the
// [CLS] row only), checked once against the full graph on the first pass it is given, with its own lanes for an
// int8 graph. Anything that stops the copy (an export whose last block is not recognised, a cache that cannot be
// written, a check that fails) leaves the passes on the full graph, as before the copy existed.
import type * as Ort from 'onnxruntime-node';
import { preparePassesModel } from '../onnx/passesCopy';
import type { HeadKind } from '../onnx/taps';
import { LaneSlot } from './lanes';
import { openSession } from './ortRuntime';

/** A session opened on use and released after a minute unused: it holds a whole graph (~350 MB full-size fp32). */
export class IdleSession {
  private session: Promise<Ort.InferenceSession> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private users = 0;

  constructor(
    readonly file: string,
    private readonly threads: number,
    private readonly onnxPath: string,
  ) {}

  get isOpen(): boolean {
    return this.session !== undefined;
  }

  async use<T>(fn: (session: Ort.InferenceSession) => Promise<T>): Promise<T> {
    clearTimeout(this.timer);
    this.users++;
    try {
      this.session ??= openSession(this.file, this.threads, this.onnxPath);
      this.session.catch(() => (this.session = undefined));
      return await fn(await this.session);
    } finally {
      if (--this.users === 0) this.timer = setTimeout(() => void this.release(), IDLE_RELEASE_MS).unref();
    }
  }

  /** Opens the session if it was released; false when it no longer opens. */
  async reopen(): Promise<boolean> {
    return this.use(async () => true).catch(() => false);
  }

  async release(): Promise<void> {
    clearTimeout(this.timer);
    const session = this.session;
    this.session = undefined;
    await (await session?.catch(() => undefined))?.release();
  }
}

const IDLE_RELEASE_MS = 60_000;

export interface PassGraph {
  /** The copy's session, for calls that do not go to its lanes. */
  session: IdleSession;
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
  let session: IdleSession | undefined;
  try {
    const file = await preparePassesModel(src.onnxFile, src.tappedPath, src.headKind, src.nLayers);
    session = new IdleSession(file, src.threads, src.onnxFile);
    const [logits, copy] = await session.use(
      async (s) => [s.outputNames[0]!, await src.copyLogits(s, s.outputNames[0]!)] as const,
    );
    const full = await src.fullLogits();
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

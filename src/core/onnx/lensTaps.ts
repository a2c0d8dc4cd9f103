// Taps for the head lens, kept apart from the head/block taps: the [CLS] row of the embeddings' output (what
// block 1 reads, so the lens can start before any block) and the last block's output at every position
// (declared as an output only; fetched only when a token lens is asked for). Appended as a second graph
// record after tapEdit's: protobuf merges both into one graph.
import { freshNamer, GraphIndex } from './graphIndex';
import { node } from './tapEdit';
import { fieldBytes, fieldMessage, fieldVarint } from './wire';

const PREFIX = 'inspector_lens/';

/** The lens taps: tensor names and the bytes to append after the main tap record. */
export interface LensEdit {
  record: Buffer;
  /** [batch, dim]: the [CLS] row of the embeddings' output (LayerNorm), the input of block 1. */
  embeddings: string;
  /** [batch, seq, dim]: the last block's output at every position. */
  hiddenStates: string;
}

/** `embeddingsOutput` is block 1's input ([batch, seq, dim]); `lastHidden` the last block's output. */
export function buildLensEdit(g: GraphIndex, embeddingsOutput: string, lastHidden: string): LensEdit {
  const fresh = freshNamer(g, PREFIX);
  const index = fresh('cls_index');
  const embeddings = fresh('embeddings_cls');
  const raw = Buffer.alloc(8); // int64 scalar 0: the [CLS] position
  const tensor = Buffer.concat([fieldVarint(2, 7), fieldBytes(8, index), fieldBytes(9, raw)]);
  const constant = node(
    'Constant',
    index,
    [],
    [index],
    [Buffer.concat([fieldBytes(1, 'value'), fieldBytes(5, tensor), fieldVarint(20, 4)])],
  );
  const gather = node(
    'Gather',
    embeddings,
    [embeddingsOutput, index],
    [embeddings],
    [Buffer.concat([fieldBytes(1, 'axis'), fieldVarint(3, 1), fieldVarint(20, 2)])],
  );
  const outputs = [embeddings, ...(g.outputs.includes(lastHidden) ? [] : [lastHidden])].map((name) =>
    fieldMessage(12, [fieldBytes(1, name)]),
  );
  return { record: fieldBytes(7, Buffer.concat([constant, gather, ...outputs])), embeddings, hiddenStates: lastHidden };
}

// How a run's sequences are grouped into ONNX calls, and a call's inputs.
import { InspectorError } from '../errors';
import type { padBatch } from '../tokenizer/textTokenizer';
import type { LaneFeeds } from './lanes';

/** Length-sorted batches under a token budget: similar lengths waste no padding; long windows run alone. */
export function makeBatches(encodings: { ids: number[] }[], batchTokens: number): number[][] {
  const order = encodings.map((_, i) => i).sort((a, b) => encodings[b]!.ids.length - encodings[a]!.ids.length);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const longest = current.length ? encodings[current[0]!]!.ids.length : encodings[i]!.ids.length;
    if (current.length && (current.length + 1) * longest > batchTokens) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length) batches.push(current);
  return batches;
}

/** The graph's inputs for a padded batch, as int64 arrays by input name. */
export function feedArrays(padded: ReturnType<typeof padBatch>, inputNames: string[]): LaneFeeds {
  const dims = [padded.batch, padded.seqLen];
  const feeds: LaneFeeds = {};
  for (const name of inputNames) {
    if (name === 'input_ids') feeds[name] = { data: padded.inputIds, dims };
    else if (name === 'attention_mask') feeds[name] = { data: padded.attentionMask, dims };
    // BERT exports take segment ids; a single text is segment 0 throughout (as the tokenizer's template says).
    else if (name === 'token_type_ids') feeds[name] = { data: new BigInt64Array(padded.inputIds.length), dims };
    else
      throw new InspectorError(
        'GRAPH_INVALID',
        `The graph wants an input "${name}" this inspector does not know.`,
        'Export with inputs input_ids, attention_mask (and token_type_ids) only.',
      );
  }
  return feeds;
}

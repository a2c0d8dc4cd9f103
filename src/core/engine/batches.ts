// How a run's sequences are grouped into ONNX calls.

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

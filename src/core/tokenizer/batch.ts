// Right-padding a batch of token id sequences into the int64 tensors ONNX Runtime takes.

/** Padded `input_ids` and `attention_mask`, row-major [batch, seqLen]; mask is 1 on real tokens, 0 on padding. */
export interface PaddedBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  batch: number;
  seqLen: number;
}

/** Pads every sequence on the right to the longest one with `padId`. */
export function padBatch(seqs: readonly { ids: readonly number[] }[], padId: number): PaddedBatch {
  if (!Number.isInteger(padId) || padId < 0)
    throw new RangeError(`padBatch: padId must be a non-negative integer, got ${padId}`);
  const batch = seqs.length;
  let seqLen = 0;
  for (const s of seqs) seqLen = Math.max(seqLen, s.ids.length);
  const inputIds = new BigInt64Array(batch * seqLen);
  const attentionMask = new BigInt64Array(batch * seqLen);
  const pad = BigInt(padId);
  for (let r = 0; r < batch; r++) {
    const ids = (seqs[r] as { ids: readonly number[] }).ids;
    const row = r * seqLen;
    for (let c = 0; c < seqLen; c++) {
      if (c < ids.length) {
        inputIds[row + c] = BigInt(ids[c] as number);
        attentionMask[row + c] = 1n;
      } else {
        inputIds[row + c] = pad;
      }
    }
  }
  return { inputIds, attentionMask, batch, seqLen };
}

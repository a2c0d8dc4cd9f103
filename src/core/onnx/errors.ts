// Errors from reading and tapping an ONNX graph; messages name the file and what was found instead.

/** Why a model could not be tapped. */
export type GraphErrorCode =
  | 'NOT_FOUND' // the .onnx file does not exist or cannot be read
  | 'CORRUPT' // not a well-formed ONNX protobuf (truncated, wrong file)
  | 'NO_LOGITS' // no graph output named logits
  | 'NO_HEAD' // logits are not produced by classifier <- ReLU/tanh <- dense <- [CLS] selection (or the activation differs from the architecture's)
  | 'LAYERS' // transformer blocks not found, or their count differs from config n_layers
  | 'UNSUPPORTED' // a recognised but not yet supported form (external data, a quantized head other than dynamic MatMulInteger)
  | 'CACHE'; // the tapped copy cannot be written under the cache folder

export class GraphError extends Error {
  constructor(
    readonly code: GraphErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

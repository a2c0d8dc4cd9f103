// Public surface of the tokenizer: text -> word pieces with offsets -> padded batches.
export { TextTokenizer } from './textTokenizer';
export { padBatch, type PaddedBatch } from './batch';
export { TokenizerError, type TokenizerErrorCode } from './errors';

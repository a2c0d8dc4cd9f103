// Models by hub id: the public surface for the CLI and the extension.
export {
  snapshotDisplayName,
  type CompleteMarker,
  type HubVariant,
  type Verification,
  type VerifiedFile,
} from './cacheLayout';
export { HubError, type HubErrorCode } from './errors';
export {
  DEFAULT_ENDPOINT,
  fetchHubModel,
  variantFiles,
  type FetchHubOptions,
  type FetchHubResult,
  type HubProgress,
  type HubRefInput,
} from './fetchModel';
export { DEFAULT_REVISION, formatRef, isCommitHash, parseModelRef, type ModelRef } from './modelRef';
export { describeProgress, formatBytes, renderLine, TerminalProgress, type ProgressStream } from './progress';
export { resolveModelArg, type ResolveModelOptions } from './resolveModel';
export { hubDownloadSize, type DownloadSize } from './downloadSize';
export { DATASET_ID_HINT, parseDatasetRef, type DatasetFileRef } from './datasetRef';
export {
  fetchHubDatasetFile,
  formatDatasetRef,
  type FetchDatasetOptions,
  type FetchDatasetResult,
} from './fetchDataset';

// Dataset mode's public surface for the CLI and the extension (which loads it on first use).
export { checkDatasetFile, readDataset, type Dataset, type ReadDatasetOptions } from './dataset';
export { headStudy, type HeadStudy } from './headStudy';
export { computeMetrics, type Metrics } from './metrics';
export { pca2, type Projection } from './projection';
export { buildDatasetReport, buildDatasetReportSliced, type DatasetReport } from './report';
export { datasetView } from './view';
export { datasetModel, inspectorModel, runDataset, type DatasetModel, type DatasetRun } from './run';
export { analyse, type Analysis } from './offThread';
export { project, PROJECTION_SEED, type ProjectionResult } from './projectionJob';
export {
  isProjectionSource,
  projectionSources,
  type ProjectionMethod,
  type ProjectionSource,
} from './projectionSources';
export { LabelMappingNeeded } from './labels';

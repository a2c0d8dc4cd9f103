// What the dataset panel can project: [CLS] after each block, and the head's dense output (pre_classifier) and
// activation (ReLU). The rows are read from the run's cache files, so the host never holds a second copy.
import { layerRows } from './headStudy';
import { readArray } from './resultCache';

/** A projection's input: `cls` (the last block's [CLS], the head's input), `block-K` (1-based), `pre`, `act`. */
export type ProjectionSource = 'cls' | `block-${number}` | 'pre' | 'act';
/** PCA is always shown; UMAP on request. */
export type ProjectionMethod = 'pca' | 'umap';

/** A run's shape and cache folder: enough to read any source's rows. */
export interface SourceShape {
  cacheDir: string;
  count: number;
  dim: number;
  nLayers: number;
}

/** The sources in the panel's order, each with the name it shows (the head's own terms). */
export function projectionSources(
  nLayers: number,
  head: { denseName: string; activation: string },
): { id: ProjectionSource; name: string }[] {
  const act = head.activation === 'relu' ? 'ReLU' : head.activation;
  return [
    ...Array.from({ length: nLayers - 1 }, (_, k) => ({
      id: `block-${k + 1}` as const,
      name: `[CLS] after block ${k + 1}`,
    })),
    { id: 'cls', name: `[CLS] after block ${nLayers} (the head's input)` },
    { id: 'pre', name: `${head.denseName} output` },
    { id: 'act', name: `${act} output (what the classifier reads)` },
  ];
}

export function isProjectionSource(x: unknown, nLayers: number): x is ProjectionSource {
  if (x === 'cls' || x === 'pre' || x === 'act') return true;
  const m = typeof x === 'string' ? /^block-([1-9]\d{0,3})$/.exec(x) : null;
  return m !== null && Number(m[1]) <= nLayers;
}

/** The source's rows, [count][dim] row-major. */
export function sourceRows(shape: SourceShape, source: ProjectionSource): Float32Array {
  const { cacheDir, count, dim, nLayers } = shape;
  if (source === 'cls' || source === 'pre' || source === 'act')
    return readArray(cacheDir, source).subarray(0, count * dim);
  const layers = readArray(cacheDir, 'layers').subarray(0, count * nLayers * dim);
  return layerRows(layers, count, nLayers, dim, Number(source.slice('block-'.length)) - 1);
}

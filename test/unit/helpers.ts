// Shared by the unit tests: fixture paths, torch references, a temp HOME for onnxruntime-node.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (tests run from out/test/unit). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'models');
export const FIXTURE_NAMES = [
  'tiny-distilbert-o14-gemm',
  'tiny-distilbert-o17-gemm',
  'tiny-distilbert-o14-matmul',
  'tiny-distilbert-o17-multilabel',
];
export const BUNDLED = path.join(ROOT, 'models', 'distilbert-sst2-small');

/** onnxruntime-node writes under ~/.cache: give every test process its own HOME. */
export function isolateHome(): string {
  if (!process.env['DBI_TEST_HOME']) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dbi-unit-home-'));
    process.env['HOME'] = home;
    process.env['DBI_TEST_HOME'] = home;
  }
  return process.env['DBI_TEST_HOME']!;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** One text of a fixture's reference.json: torch's values. */
export interface ReferenceCase {
  text: string;
  tokens: string[];
  ids: number[];
  truncated: boolean;
  cls: number[];
  preClassifier: number[];
  relu: number[];
  layers: number[][];
  logits: number[];
  probabilities: number[];
}

export interface Reference {
  name: string;
  opset: number;
  head: string;
  maxLength: number;
  labels: string[];
  problemType: string;
  tolerance: number;
  cases: ReferenceCase[];
}

export function readReference(dir: string): Reference {
  return JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as Reference;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/**
 * An independent reference for the stage comparisons: cosine, norms and distance of two vectors by the plain
 * loop (not textCompare's code), and the units ordered by |b - a|, largest first.
 */
export function loopDiff(
  a: number[],
  b: number[],
): { cos: number | null; na: number; nb: number; dist: number; order: number[] } {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let dist = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
    dist += (b[i]! - a[i]!) ** 2;
  }
  const order = a.map((_, i) => i).sort((x, y) => Math.abs(b[y]! - a[y]!) - Math.abs(b[x]! - a[x]!));
  return {
    cos: na === 0 || nb === 0 ? null : dot / Math.sqrt(na * nb),
    na: Math.sqrt(na),
    nb: Math.sqrt(nb),
    dist: Math.sqrt(dist),
    order,
  };
}

// Two pieces that keep a large dataset cheap for its caller. readBlockRows: one block of a [row][block][dim]
// cache file, read a few MB at a time (the head study's worker never holds all of `layers`), against an in-memory
// slice of the same file; topRows: a unit's top-activating rows in one pass, against a stable sort.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './helpers';
import { layerRows } from '../../src/core/dataset/headStudy';
import { readBlockRows } from '../../src/core/dataset/resultCache';
import { topRows } from '../../src/core/dataset/topRows';

describe('readBlockRows', () => {
  it('equals the in-memory slice for every block, across many 8 MB reads and a short last one', () => {
    // 4 blocks x 256 dims = 4 KB a row: 2048 rows per read, so 5,001 rows take three reads, the last partial.
    const count = 5001,
      blocks = 4,
      dim = 256;
    const all = new Float32Array(count * blocks * dim);
    for (let i = 0; i < all.length; i++) all[i] = Math.sin(i * 0.37) * 1e3 + i;
    const dir = tempDir('dbi-block-rows-');
    fs.writeFileSync(path.join(dir, 'layers.f32'), new Uint8Array(all.buffer));
    for (let b = 0; b < blocks; b++)
      assert.deepEqual(
        readBlockRows(dir, 'layers', count, blocks, dim, b),
        layerRows(all, count, blocks, dim, b),
        `block ${b}`,
      );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a file shorter than its rows is an error naming the row, not zeros', () => {
    const dir = tempDir('dbi-block-rows-');
    fs.writeFileSync(path.join(dir, 'layers.f32'), new Uint8Array(3 * 2 * 8 * 4));
    assert.throws(() => readBlockRows(dir, 'layers', 5, 2, 8, 1), /layers\.f32 in .* ends at row 3 of 5/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('topRows', () => {
  it('equals a stable sort of every row by the unit (largest first, ties by row), for every k and unit', () => {
    const n = 500,
      dim = 7;
    const act = new Float32Array(n * dim);
    // Few distinct values, so ties are common.
    for (let i = 0; i < act.length; i++) act[i] = Math.max(0, Math.round(Math.sin(i * 12.9898) * 5));
    for (let unit = 0; unit < dim; unit++) {
      const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => act[b * dim + unit]! - act[a * dim + unit]!);
      for (const k of [1, 3, 10])
        assert.deepEqual(topRows(act, n, dim, unit, k), sorted.slice(0, k), `unit ${unit}, k ${k}`);
    }
    assert.deepEqual(topRows(act, 2, dim, 0, 3).length, 2, 'fewer rows than k');
  });
});

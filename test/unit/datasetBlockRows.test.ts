// readBlockRows: one block of a [row][block][dim] cache file, read a few MB at a time (the head study's worker
// uses it so the whole `layers` file is never in memory), against a plain in-memory slice of the same file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './helpers';
import { layerRows } from '../../src/core/dataset/headStudy';
import { readBlockRows } from '../../src/core/dataset/resultCache';

describe('readBlockRows', () => {
  it('equals the in-memory slice for every block, across many 8 MB reads and a short last one', () => {
    // 4 blocks x 256 dims = 4 KB a row: 2048 rows per read, so 5,001 rows take three reads, the last partial.
    const count = 5001, blocks = 4, dim = 256;
    const all = new Float32Array(count * blocks * dim);
    for (let i = 0; i < all.length; i++) all[i] = Math.sin(i * 0.37) * 1e3 + i;
    const dir = tempDir('dbi-block-rows-');
    fs.writeFileSync(path.join(dir, 'layers.f32'), new Uint8Array(all.buffer));
    for (let b = 0; b < blocks; b++) assert.deepEqual(readBlockRows(dir, 'layers', count, blocks, dim, b), layerRows(all, count, blocks, dim, b), `block ${b}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a file shorter than its rows is an error naming the row, not zeros', () => {
    const dir = tempDir('dbi-block-rows-');
    fs.writeFileSync(path.join(dir, 'layers.f32'), new Uint8Array(3 * 2 * 8 * 4));
    assert.throws(() => readBlockRows(dir, 'layers', 5, 2, 8, 1), /layers\.f32 in .* ends at row 3 of 5/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

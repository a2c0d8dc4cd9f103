// `distilbert-inspector quantize` and the dtype variants as a user runs them: a child process, its output,
// the files it writes, and which graph `--variant` (auto included) made the numbers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pickAuto } from '../../src/core/model/variants';
import { quantizeModelFile } from '../../src/core/quantize/quantizeGraph';
import { FIXTURES, ROOT, isolateHome, tempDir } from './helpers';

const home = isolateHome();
const CLI = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
const cache = tempDir('dbi-quant-cache-');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HOME: home, NO_COLOR: '1', DISTILBERT_INSPECTOR_CACHE: cache },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A writable copy of a fixture folder (fp32 graph only). */
function copyFixture(name: string): string {
  const dir = tempDir('dbi-quant-model-');
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  for (const f of fs.readdirSync(path.join(dir, 'onnx'))) if (f !== 'model.onnx') fs.rmSync(path.join(dir, 'onnx', f));
  return dir;
}

describe('quantize command', () => {
  it('writes onnx/model_int8.onnx beside model.onnx and reports size, time and agreement on the sample', () => {
    const dir = copyFixture('tiny-distilbert-o17-gemm');
    const r = cli('quantize', dir);
    assert.equal(r.code, 0, r.err);
    const out = path.join(dir, 'onnx', 'model_int8.onnx');
    assert.ok(fs.statSync(out).size > 0);
    assert.deepEqual(
      fs.readdirSync(path.join(dir, 'onnx')).sort(),
      ['model.onnx', 'model_int8.onnx'],
      'no temp file left behind',
    );
    assert.match(r.out, new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.out, /^size: .* \(fp32 .*, \d+%\)$/m);
    assert.match(r.out, /^time: [\d.]+ s \(\d+ MatMul \+ 2 Gemm quantized/m);
    assert.match(r.out, /^sample: 12 texts, label agreement \d+\.\d%, max \|Δlogit\| \d+\.\d{4}/m);

    // The graph it wrote is what --variant int8 runs, and the JSON says so.
    const j = JSON.parse(cli('--model', dir, '--variant', 'int8', '--json', 'a witty movie').out);
    assert.equal(j.model.variant, 'int8');
    assert.equal(j.model.onnxFile, out);
    assert.equal(j.model.head.quantized, true);
    const f = JSON.parse(cli('--model', dir, '--json', 'a witty movie').out);
    assert.equal(f.model.variant, 'fp32');
  });

  it('auto picks int8 where this CPU runs it well (or it has 7-bit weights), fp32 otherwise', async () => {
    const dir = copyFixture('tiny-distilbert-o14-matmul');
    const vnni = { fastInt8: true, reason: 'x86 CPU with avx512_vnni' };
    const noVnni = { fastInt8: false, reason: 'x86 CPU without VNNI' };
    assert.equal(pickAuto(dir, vnni)?.dtype, 'fp32', 'no int8 graph yet');
    await quantizeModelFile(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model_int8.onnx'), {
      perChannel: true,
      reduceRange: false,
    });
    assert.equal(pickAuto(dir, vnni)?.dtype, 'int8');
    assert.equal(pickAuto(dir, noVnni)?.dtype, 'fp32', 'full-range int8 weights may saturate without VNNI');
    await quantizeModelFile(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model_int8.onnx'), {
      perChannel: true,
      reduceRange: true,
    });
    assert.equal(pickAuto(dir, noVnni)?.dtype, 'int8');
    const j = JSON.parse(cli('--model', dir, '--variant', 'auto', '--json', 'a witty movie').out);
    assert.equal(j.model.variant, 'int8', 'this machine: 7-bit weights run everywhere');
    assert.match(j.model.variantReason, /int8 graph/);
  });

  it('q4/bnb4 and unknown variants get one line naming the fix; a missing dtype lists what the folder has', () => {
    for (const v of ['q4', 'bnb4']) {
      const r = cli('--variant', v, 'text');
      assert.equal(r.code, 2);
      assert.match(r.err, /4-bit graphs .* are not supported\. Use int8/);
      assert.equal(r.err.trim().split('\n').length, 1);
    }
    assert.match(
      cli('--variant', 'int4', 'text').err,
      /not an ONNX variant.*fp32, fp16, q8, quantized, int8, uint8, auto/,
    );
    const dir = copyFixture('tiny-distilbert-o17-gemm');
    const r = cli('--model', dir, '--variant', 'int8', 'text');
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /has no onnx\/model_int8\.onnx\. It has onnx\/model\.onnx \(fp32\).*distilbert-inspector quantize/,
    );
    assert.equal(cli('quantize').code, 2);
    assert.match(cli('quantize', path.join(dir, 'nope')).err, /does not exist/);
  });

  it("the bundled model's int8 graph is exactly what the quantizer makes from its fp32 graph today", async () => {
    const bundled = path.join(ROOT, 'models', 'distilbert-sst2-small', 'onnx');
    const fresh = path.join(tempDir('dbi-quant-bundled-'), 'model_int8.onnx');
    await quantizeModelFile(path.join(bundled, 'model.onnx'), fresh, { perChannel: true, reduceRange: false });
    assert.ok(
      fs.readFileSync(fresh).equals(fs.readFileSync(path.join(bundled, 'model_int8.onnx'))),
      'regenerate it with distilbert-inspector quantize models/distilbert-sst2-small',
    );
  });
});

describe('int8 in the whole-file and occlusion paths', () => {
  it("a window's int8 result does not depend on its neighbours (each window runs alone), nor does an occlusion pass", async () => {
    const { Inspector } = await import('../../src/core/inspector');
    const dir = copyFixture('tiny-distilbert-o17-gemm');
    await quantizeModelFile(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model_int8.onnx'), {
      perChannel: true,
      reduceRange: false,
    });
    const inspector = await Inspector.open({
      modelDir: dir,
      cacheDir: tempDir('dbi-quant-ins-'),
      threads: 1,
      variant: 'int8',
    });
    try {
      assert.equal(inspector.model.variant, 'int8');
      // Windows of different lengths: batched together they would share one padded activation scale.
      const text =
        'a gorgeous , witty , seductive movie . the plot is thin and the jokes fall flat , but it is charming . ok .';
      const batched = await inspector.inspect(text, { windowTokens: 12, overlap: 2 });
      const alone = await inspector.inspect(text, { windowTokens: 12, overlap: 2, batchTokens: 1 });
      assert.ok(batched.windows.length >= 3);
      assert.deepEqual(
        batched.windows.map((w) => w.logits),
        alone.windows.map((w) => w.logits),
      );
      // Each window equals that window's text inspected on its own.
      for (const w of batched.windows) {
        const own = await inspector.inspect(text.slice(w.start, w.end));
        assert.deepEqual(own.windows[0]!.logits, w.logits, `window ${w.start}-${w.end}`);
      }
      const a = await inspector.occlude(text.slice(0, 60));
      const b = await inspector.occlude(text.slice(0, 60), { batchTokens: 1 });
      assert.deepEqual(
        a.items.map((i) => i.deltaLogits),
        b.items.map((i) => i.deltaLogits),
      );
    } finally {
      await inspector.dispose();
    }
  });
});

#!/usr/bin/env node
// `npm run eval`: accuracy of a model on SST-2 dev through the project's own TypeScript inference path
// (tokenizer, tapped graph, worker), not through torch. Ends with the line `accuracy: 0.XXXX`; with
// `--variant V` other than fp32 it also runs fp32 and ends with `agreement with fp32: 0.XXXX`.
import * as os from 'node:os';
import * as path from 'node:path';
import { toInspectorError } from '../core/errors';
import { readBoundedText } from '../core/files';
import { Inspector, defaultModelDir, packageRoot } from '../core/inspector';
import { parseVariant } from '../core/model/variants';

/** Rows of a GLUE-style TSV with a `sentence` and an integer `label` column. */
export function readTsv(file: string): { sentence: string; label: number }[] {
  const lines = readBoundedText(file, {
    maxBytes: 256 * 1024 * 1024,
    code: 'BAD_OPTION',
    hint: 'Give --data a GLUE-style TSV file.',
  })
    .split('\n')
    .filter((l) => l.trim() !== '');
  const header = lines[0]!.split('\t');
  const si = header.indexOf('sentence');
  const li = header.indexOf('label');
  if (si < 0 || li < 0) throw new Error(`${file}: expected a header with "sentence" and "label" columns`);
  return lines.slice(1).map((l) => {
    const cols = l.split('\t');
    return { sentence: cols[si]!, label: Number(cols[li]) };
  });
}

async function main(argv: string[]): Promise<number> {
  const opt = (name: string, fallback: string) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
  };
  const data = opt('--data', path.join(packageRoot(), '..', 'shared', 'data', 'sst2', 'dev.tsv'));
  const modelDir = opt('--model', defaultModelDir());
  const cacheDir = opt('--cache-dir', path.join(os.tmpdir(), 'distilbert-inspector-eval-cache'));
  let inspector: Inspector | undefined;
  try {
    const variant = parseVariant(opt('--variant', 'fp32'), '--variant');
    const rows = readTsv(data);
    inspector = await Inspector.open({ modelDir, cacheDir, variant });
    const labels = inspector.model.labels;
    const n = labels.length;
    // SST-2's label 1 is positive; map by name so a model with other label order still evaluates correctly.
    const target = (y: number) => labels.indexOf(y === 1 ? 'POSITIVE' : 'NEGATIVE');
    if (target(0) < 0 || target(1) < 0)
      throw new Error(`${modelDir} labels ${labels.join(', ')} are not NEGATIVE/POSITIVE`);
    const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const t0 = performance.now();
    let correct = 0;
    const predictions: string[] = [];
    for (const row of rows) {
      const ins = await inspector.inspect(row.sentence);
      predictions.push(ins.aggregate.label);
      const predicted = labels.indexOf(ins.aggregate.label);
      const truth = target(row.label);
      confusion[truth]![predicted]! += 1;
      if (predicted === truth) correct++;
    }
    const ms = performance.now() - t0;
    const width = Math.max(...labels.map((l) => l.length), 10);
    console.log(`model: ${inspector.model.path} (${inspector.model.variant}: ${inspector.model.onnxFile})`);
    console.log(`data: ${data} (${rows.length} sentences, ${(ms / rows.length).toFixed(2)} ms each)`);
    console.log(`confusion matrix (rows: true label, columns: predicted)`);
    console.log(`${''.padEnd(width)}  ${labels.map((l) => l.padStart(width)).join('  ')}`);
    confusion.forEach((r, i) =>
      console.log(`${labels[i]!.padEnd(width)}  ${r.map((x) => String(x).padStart(width)).join('  ')}`),
    );
    console.log(`accuracy: ${(correct / rows.length).toFixed(4)}`);
    if (inspector.model.variant !== 'fp32') {
      await inspector.dispose();
      inspector = await Inspector.open({ modelDir, cacheDir, variant: 'fp32' });
      let same = 0;
      let fp32Correct = 0;
      for (const [i, row] of rows.entries()) {
        const label = (await inspector.inspect(row.sentence)).aggregate.label;
        if (label === predictions[i]) same++;
        if (labels.indexOf(label) === target(row.label)) fp32Correct++;
      }
      console.log(`fp32 accuracy: ${(fp32Correct / rows.length).toFixed(4)}`);
      console.log(`agreement with fp32: ${(same / rows.length).toFixed(4)}`);
    }
    return 0;
  } catch (err) {
    console.error(`eval: ${toInspectorError(err, 'INFERENCE_FAILED').oneLine()}`);
    return 1;
  } finally {
    await inspector?.dispose();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

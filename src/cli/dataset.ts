// `distilbert-inspector dataset FILE`: a labelled dataset through the model: metrics, confusion matrix, dead head
// units and the head study; --json for scripts, --html for a page.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError } from '../core/errors';
import { readDataset } from '../core/dataset/dataset';
import { parseLabelMap } from '../core/dataset/labels';
import { analyse } from '../core/dataset/offThread';
import { buildDatasetReport } from '../core/dataset/report';
import { resolveDatasetArg } from '../core/dataset/source';
import { datasetModel, runDataset } from '../core/dataset/run';
import { prepareCacheDir } from '../core/files';
import { resolveModelArg } from '../core/hub';
import { Inspector, MAX_THREADS } from '../core/inspector';
import { folderForVariant, parseVariant } from '../core/model/variants';
import { MAX_INT, OptionWords, modelDefaults, wholeNumber, type ModelOptions } from './options';
import { datasetHtml, formatDatasetReport } from './datasetFormat';

export const DATASET_USAGE = `usage: distilbert-inspector dataset FILE [options]

FILE is a .csv, .tsv, .jsonl or .parquet file with a header (Parquet/JSONL: field names), or a file of a
hub dataset: owner/name[@revision]:path/in/repo.parquet (or hf://datasets/owner/name[@revision]/path),
downloaded once into the cache and verified like a model (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE apply).
options:
  --text-column C      the column with the text (default: guessed, e.g. "sentence" or "text")
  --label-column C     the gold label column (default: guessed, e.g. "label"); --no-labels for none
  --label-map A=X,...  map the file's labels onto the model's (e.g. 0=NEGATIVE,1=POSITIVE)
  --limit N            read only the first N examples
  --no-study           skip the head study (linear probes)
  --json               print machine-readable JSON
  --html OUT           write an HTML report to OUT
  --model, --variant, --threads, --cache-dir   as for classifying text`;

/** Parsed options of the dataset command. */
export interface DatasetArgs extends ModelOptions {
  file: string;
  textColumn?: string;
  labelColumn?: string | null;
  labelMap?: Record<string, string>;
  limit?: number;
  study: boolean;
  json: boolean;
  html?: string;
  help: boolean;
}

const bad = (msg: string) => new InspectorError('BAD_OPTION', msg, 'See distilbert-inspector dataset --help.');

export function parseDatasetArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DatasetArgs {
  const args: DatasetArgs = {
    file: '',
    study: true,
    json: false,
    ...modelDefaults(env),
    help: false,
  };
  const files: string[] = [];
  const opts = new OptionWords(argv, bad, true);
  for (const a of opts) {
    const value = opts.value;
    const count = (): number => wholeNumber(a, value(), 1, a === '--threads' ? MAX_THREADS : MAX_INT, bad);
    switch (a) {
      case '--text-column':
        args.textColumn = value();
        break;
      case '--label-column':
        args.labelColumn = value();
        break;
      case '--no-labels':
        args.labelColumn = null;
        break;
      case '--label-map':
        args.labelMap = parseLabelMap(value());
        break;
      case '--limit':
        args.limit = count();
        break;
      case '--no-study':
        args.study = false;
        break;
      case '--json':
        args.json = true;
        break;
      case '--html':
        args.html = value();
        break;
      case '--model':
        args.model = value();
        break;
      case '--variant':
        args.variant = parseVariant(value(), '--variant');
        break;
      case '--threads':
        args.threads = count();
        break;
      case '--cache-dir':
        args.cacheDir = value();
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        if (a.startsWith('-')) throw bad(`Unknown option ${a}.`);
        files.push(a);
    }
  }
  if (!args.help && files.length !== 1)
    throw bad(files.length ? `Give one dataset file, got ${files.length}.` : 'Give the dataset file.');
  args.file = files[0] ?? '';
  if (args.json && args.html) throw bad('Give either --json or --html, not both.');
  return args;
}

/** Runs the command; returns the exit code's meaning through errors (the caller prints them). */
export async function datasetCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): Promise<void> {
  const args = parseDatasetArgs(argv);
  if (args.help) {
    out.write(`${DATASET_USAGE}\n`);
    return;
  }
  prepareCacheDir(args.cacheDir, '--cache-dir');
  // A hub dataset file is fetched first: a bad id or path fails before a model download starts.
  const { file } = await resolveDatasetArg(args.file, { cacheDir: args.cacheDir, progress: err });
  const dir = await folderForVariant(
    args.variant,
    async (variant) => (await resolveModelArg(args.model, { cacheDir: args.cacheDir, variant, progress: err })).dir,
  );
  // The model is loaded only when rows are missing from the dataset cache.
  let inspector: Inspector | undefined;
  const model = datasetModel(
    dir,
    args.variant,
    async () =>
      (inspector = await Inspector.open({
        modelDir: dir,
        cacheDir: args.cacheDir,
        threads: args.threads,
        variant: args.variant,
      })),
  );
  try {
    const ds = await readDataset(file, {
      modelLabels: model.labels,
      textColumn: args.textColumn,
      labelColumn: args.labelColumn,
      labelMap: args.labelMap,
      limit: args.limit,
    });
    const live = err.isTTY === true;
    const run = await runDataset(model, ds, {
      cacheDir: path.join(args.cacheDir, 'datasets'),
      onProgress: live
        ? (done, total, eta) =>
            err.write(`\r${done}/${total} examples${eta === undefined ? '' : `, ${Math.ceil(eta / 1000)} s left`}   `)
        : undefined,
    });
    if (live) err.write('\r\x1b[K');
    const t0 = performance.now();
    const { study } = await analyse(run, ds.gold, { study: args.study, projection: false });
    const report = buildDatasetReport(model, ds, run, study, performance.now() - t0);
    if (args.json) out.write(`${JSON.stringify(report)}\n`);
    else {
      if (args.html) fs.writeFileSync(args.html, datasetHtml(report));
      out.write(`${formatDatasetReport(report)}\n${args.html ? `\nHTML report: ${args.html}\n` : ''}`);
    }
  } finally {
    await (inspector as Inspector | undefined)?.dispose();
  }
}

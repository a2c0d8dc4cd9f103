// `distilbert-inspector faithfulness --data FILE.tsv --methods occlusion,shap,rollout [--limit N]`: how faithful
// each attribution method is on a labelled file, as ERASER's comprehensiveness and sufficiency AOPC (DeYoung et
// al. 2020) with [MASK] replacement and with deletion, plus what each method cost.
import * as fs from 'node:fs';
import { DEFAULT_BUDGET, METHOD_NAMES, parseMethod, type AttributionMethod } from '../core/attribution/explain';
import { InspectorError } from '../core/errors';
import { resolveModelArg } from '../core/hub';
import { Inspector, MAX_THREADS } from '../core/inspector';
import { folderForVariant, parseVariant } from '../core/model/variants';
import { readTsv } from './eval';
import { MAX_INT, OptionWords, modelDefaults, wholeNumber, type ModelOptions } from './options';

export const FAITHFULNESS_USAGE = `usage: distilbert-inspector faithfulness --data FILE.tsv [options]

Scores attribution methods by comprehensiveness and sufficiency (ERASER): the predicted label's probability
drop when the top 10..90% words are taken out (higher is more faithful), or when only they are kept (lower is
better), averaged (AOPC), with [MASK] replacement and with deletion.

options:
  --data FILE.tsv      a GLUE-style file with a "sentence" column (a "label" column is not needed)
  --methods LIST       comma-separated: occlusion,shap,rollout (default: all three)
  --limit N            only the first N sentences
  --budget N           forward passes per SHAP explanation (default ${DEFAULT_BUDGET})
  --model DIR|ID, --variant V, --threads N, --cache-dir DIR   as for classification
  --json               print the table as JSON`;

/** One method's averages over the file. */
export interface FaithfulnessRow {
  method: AttributionMethod;
  texts: number;
  maskComprehensiveness: number | undefined;
  maskSufficiency: number | undefined;
  deletionComprehensiveness: number;
  deletionSufficiency: number;
  /** Mean forward passes of the attribution per text (faithfulness' own 36 not included). */
  passes: number;
  seconds: number;
}

/** Scores `methods` over `sentences` with one loaded model; `onText` sees progress. */
export async function scoreMethods(
  inspector: Inspector,
  sentences: string[],
  methods: AttributionMethod[],
  budget: number,
  onText?: (method: AttributionMethod, done: number) => void,
): Promise<FaithfulnessRow[]> {
  const rows: FaithfulnessRow[] = [];
  for (const method of methods) {
    const sum = { mc: 0, ms: 0, dc: 0, ds: 0, passes: 0, masked: 0 };
    const t0 = performance.now();
    for (const [i, s] of sentences.entries()) {
      const r = await inspector.explain(s, { method, budget });
      const f = r.faithfulness!;
      sum.dc += f.deletion.comprehensivenessAopc;
      sum.ds += f.deletion.sufficiencyAopc;
      if (f.mask) {
        sum.mc += f.mask.comprehensivenessAopc;
        sum.ms += f.mask.sufficiencyAopc;
        sum.masked++;
      }
      sum.passes += r.forwardPasses;
      onText?.(method, i + 1);
    }
    const n = sentences.length;
    rows.push({
      method,
      texts: n,
      maskComprehensiveness: sum.masked ? sum.mc / sum.masked : undefined,
      maskSufficiency: sum.masked ? sum.ms / sum.masked : undefined,
      deletionComprehensiveness: sum.dc / n,
      deletionSufficiency: sum.ds / n,
      passes: sum.passes / n,
      seconds: (performance.now() - t0) / 1000,
    });
  }
  return rows;
}

/** The table as Markdown. */
export function formatFaithfulnessTable(rows: FaithfulnessRow[]): string {
  const f = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(3));
  return [
    '| method | comprehensiveness AOPC [MASK] ↑ | sufficiency AOPC [MASK] ↓ | comprehensiveness AOPC deletion ↑ | sufficiency AOPC deletion ↓ | passes per text | seconds |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${METHOD_NAMES[r.method]} | ${f(r.maskComprehensiveness)} | ${f(r.maskSufficiency)} | ${f(r.deletionComprehensiveness)} | ${f(r.deletionSufficiency)} | ${r.passes.toFixed(1)} | ${r.seconds.toFixed(1)} |`,
    ),
  ].join('\n');
}

interface Args extends ModelOptions {
  data: string | undefined;
  methods: AttributionMethod[];
  limit: number | undefined;
  budget: number;
  json: boolean;
  help: boolean;
}

const bad = (msg: string) => new InspectorError('BAD_OPTION', msg, 'See distilbert-inspector faithfulness --help.');

export function parseFaithfulnessArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args {
  const args: Args = {
    data: undefined,
    methods: ['occlusion', 'shap', 'rollout'],
    limit: undefined,
    budget: DEFAULT_BUDGET,
    ...modelDefaults(env),
    json: false,
    help: false,
  };
  const opts = new OptionWords(argv, bad);
  for (const a of opts) {
    const value = opts.value;
    const positive = (min = 1) => wholeNumber(a, value(), min, MAX_INT, bad, `of at least ${min}`);
    switch (a) {
      case '--data':
        args.data = value();
        break;
      case '--methods':
        try {
          args.methods = [
            ...new Set(
              value()
                .split(',')
                .map((m) => parseMethod(m.trim())),
            ),
          ];
        } catch (e) {
          throw bad(`--methods: ${(e as Error).message}.`);
        }
        break;
      case '--limit':
        args.limit = positive();
        break;
      case '--budget':
        args.budget = positive(2);
        break;
      case '--model':
        args.model = value();
        break;
      case '--variant': {
        args.variant = parseVariant(value(), '--variant');
        break;
      }
      case '--threads':
        args.threads = wholeNumber(a, value(), 1, MAX_THREADS, bad);
        break;
      case '--cache-dir':
        args.cacheDir = value();
        break;
      case '--json':
        args.json = true;
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        throw bad(`Unknown option ${a}.`);
    }
  }
  if (!args.help && args.data === undefined) throw bad('Give the labelled file with --data FILE.tsv.');
  return args;
}

/** The file's sentences, after checking it is a regular file of sensible size with a sentence column. */
function readSentences(file: string, limit: number | undefined): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw bad(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  if (!st.isFile()) throw bad(`${file} is not a regular file.`);
  if (st.size > 64 * 1024 * 1024)
    throw bad(
      `${file} is ${Math.round(st.size / 1e6)} MB; a labelled file for faithfulness should be at most 64 MB (use --limit on a smaller sample).`,
    );
  let rows: { sentence: string }[];
  try {
    rows = readTsv(file);
  } catch (e) {
    throw bad((e as Error).message);
  }
  const sentences = rows.map((r) => r.sentence ?? '').filter((s) => s.trim() !== '');
  if (sentences.length === 0) throw bad(`${file} has no sentences.`);
  return limit === undefined ? sentences : sentences.slice(0, limit);
}

export async function faithfulnessMain(argv: string[]): Promise<void> {
  const args = parseFaithfulnessArgs(argv);
  if (args.help) {
    process.stdout.write(`${FAITHFULNESS_USAGE}\n`);
    return;
  }
  const sentences = readSentences(args.data!, args.limit);
  const dir = await folderForVariant(
    args.variant,
    async (variant) =>
      (await resolveModelArg(args.model, { cacheDir: args.cacheDir, variant, progress: process.stderr })).dir,
  );
  const inspector = await Inspector.open({
    modelDir: dir,
    cacheDir: args.cacheDir,
    threads: args.threads,
    variant: args.variant,
  });
  try {
    const tty = process.stderr.isTTY === true;
    const rows = await scoreMethods(inspector, sentences, args.methods, args.budget, (m, done) => {
      if (tty && (done % 10 === 0 || done === sentences.length))
        process.stderr.write(`\r${METHOD_NAMES[m]}: ${done}/${sentences.length}`);
    });
    if (tty) process.stderr.write('\n');
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ model: inspector.model.name, data: args.data, texts: sentences.length, budget: args.budget, rows })}\n`,
      );
    } else {
      process.stdout.write(
        `model ${inspector.model.name}, ${sentences.length} texts of ${args.data}, SHAP budget ${args.budget}\n${formatFaithfulnessTable(rows)}\n`,
      );
    }
  } finally {
    await inspector.dispose();
  }
}

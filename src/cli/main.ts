#!/usr/bin/env node
// `distilbert-inspector "some text"`: classify text with a DistilBERT model and print its head layer by layer.
import * as os from 'node:os';
import { InspectorError, toInspectorError } from '../core/errors';
import { prepareCacheDir, readBoundedFile, TEXT_FILE_LIMIT_BYTES } from '../core/files';
import { resolveModelArg } from '../core/hub';
import { Inspector, MAX_THREADS, defaultModelDir } from '../core/inspector';
import type { OnnxVariant } from '../core/model/modelFolder';
import { folderForVariant, parseVariant } from '../core/model/variants';
import { decodeTextFile } from '../core/text/textInput';
import { terminalSafe } from '../core/text/terminalSafe';
import { DEFAULT_OVERLAP } from '../core/text/windows';
import { defaultCacheDir } from './cacheDir';
import { MAX_INT, OptionWords, wholeNumber } from './options';
import { attentionJson } from '../core/attribution/attention';
import { DEFAULT_BUDGET, parseMethod, type AttributionMethod } from '../core/attribution/explain';
import { faithfulnessMain } from './faithfulness';
import { formatExplanation } from './formatExplanation';
import { datasetCommand } from './dataset';
import { formatInspection } from './format';
import { quantizeCommand } from './quantize';
import { windowToJson } from '../core/present/inspectionJson';

const USAGE = `usage: distilbert-inspector [options] "text to classify"
       distilbert-inspector [options] --file PATH
       distilbert-inspector faithfulness --data FILE.tsv [--methods occlusion,shap,rollout] [--limit N]
       distilbert-inspector quantize MODEL_DIR|ID     (writes onnx/model_int8.onnx; see quantize --help)
       distilbert-inspector dataset FILE [options]   (a labelled CSV/TSV/JSONL/Parquet file or owner/name[@rev]:path on the hub; see dataset --help)

options:
  --file PATH          classify a whole file (windows over long text)
  --model DIR|ID       model folder in the Hugging Face layout (default: the bundled distilbert-sst2-small),
                       or a hub id owner/name[@revision], downloaded once into the cache (token: $HF_TOKEN,
                       endpoint: $HF_ENDPOINT, proxy: $HTTPS_PROXY/$NO_PROXY, offline: $HF_HUB_OFFLINE=1)
  --variant V          ONNX graph (hub dtype names): fp32 (onnx/model.onnx, default), fp16, q8/quantized
                       (model_quantized.onnx), int8 (model_int8.onnx), uint8 (model_uint8.onnx), or auto
                       (the fastest graph the folder has that this CPU runs well)
  --json               print machine-readable JSON
  --window-tokens N    tokens per window, [CLS]/[SEP] included (default: the model's max length)
  --overlap N          word pieces shared by consecutive windows (default ${DEFAULT_OVERLAP})
  --truncate           read only the first window instead of the whole text
  --window N           which window gets the detailed view (1-based, default 1)
  --top K              units listed toward/against each label (default 5; at most the head's dim)
  --token-lens         also apply the head to every word piece's final hidden state (windows[].tokenLens)
  --threads N          ONNX Runtime threads, 1 to 64 (default: one per core)
  --attention          add each window's attention ([CLS] row of every layer and head, and the rollout)
                       as windows[].attention to --json; --attention-full adds the full layers x heads x seq x seq
  --explain METHOD     which words drove the decision in the first window: occlusion, shap or rollout, with its
                       faithfulness (comprehensiveness / sufficiency); --json gets it as "explanation"
  --budget N           forward passes a SHAP explanation may use (default 500)
  --cache-dir DIR      where tapped graphs and hub downloads (DIR/hub) are cached
                       (default: $DISTILBERT_INSPECTOR_CACHE, else %LOCALAPPDATA%\\distilbert-inspector\\Cache
                       on Windows, ~/Library/Caches/distilbert-inspector on macOS,
                       $XDG_CACHE_HOME/distilbert-inspector or ~/.cache/distilbert-inspector elsewhere)
  -h, --help           this help`;

export interface CliArgs {
  text: string | undefined;
  file: string | undefined;
  model: string;
  variant: OnnxVariant;
  json: boolean;
  windowTokens: number | undefined;
  overlap: number | undefined;
  truncate: boolean;
  window: number;
  top: number;
  /** Also the token lens (the head on every word piece). */
  tokenLens: boolean;
  threads: number;
  cacheDir: string;
  /** How the cache folder was chosen, named in errors about it. */
  cacheDirFrom: string;
  help: boolean;
  /** Attention in the JSON: none, [CLS] rows, or full matrices. */
  attention: 'none' | 'cls' | 'full';
  explain: AttributionMethod | undefined;
  budget: number;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  const args: CliArgs = {
    text: undefined,
    file: undefined,
    model: defaultModelDir(),
    variant: 'fp32',
    json: false,
    windowTokens: undefined,
    overlap: undefined,
    truncate: false,
    window: 1,
    top: 5,
    tokenLens: false,
    threads: 0,
    cacheDir: defaultCacheDir(process.platform, env, os.homedir()),
    cacheDirFrom:
      env['DISTILBERT_INSPECTOR_CACHE'] !== undefined ? '$DISTILBERT_INSPECTOR_CACHE' : 'the default cache folder',
    help: false,
    attention: 'none',
    explain: undefined,
    budget: DEFAULT_BUDGET,
  };
  const words: string[] = [];
  const opts = new OptionWords(argv, usage);
  for (const a of opts) {
    const value = opts.value;
    const int = (min: number, max: number, range?: string): number => wholeNumber(a, value(), min, max, usage, range);
    switch (a) {
      case '--file':
        args.file = value();
        break;
      case '--model':
        args.model = value();
        break;
      case '--variant': {
        const v = value();
        try {
          args.variant = parseVariant(v, '--variant');
        } catch (err) {
          throw usage((err as InspectorError).oneLine());
        }
        break;
      }
      case '--json':
        args.json = true;
        break;
      // The model's own limits (max length, dim) are checked once it is loaded.
      case '--window-tokens':
        args.windowTokens = int(8, MAX_INT, "of at least 8 (up to the model's max length)");
        break;
      case '--overlap':
        args.overlap = int(0, MAX_INT, 'of at least 0 (less than the tokens per window)');
        break;
      case '--truncate':
        args.truncate = true;
        break;
      case '--window':
        args.window = int(1, MAX_INT, 'of at least 1 (up to the number of windows)');
        break;
      case '--top':
        args.top = int(1, MAX_INT, "of at least 1 (up to the units of the model's head)");
        break;
      case '--token-lens':
        args.tokenLens = true;
        break;
      case '--threads':
        args.threads = int(1, MAX_THREADS);
        break;
      case '--cache-dir':
        args.cacheDir = value();
        args.cacheDirFrom = '--cache-dir';
        break;
      case '--attention':
        args.attention = args.attention === 'full' ? 'full' : 'cls';
        break;
      case '--attention-full':
        args.attention = 'full';
        break;
      case '--explain': {
        const v = value();
        try {
          args.explain = parseMethod(v);
        } catch (e) {
          throw usage(`--explain: ${(e as Error).message}.`);
        }
        break;
      }
      case '--budget':
        args.budget = int(2, MAX_INT, 'of at least 2 (forward passes)');
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '--':
        words.push(...opts.rest());
        break;
      default:
        if (a.startsWith('--')) throw usage(`Unknown option ${a}.`);
        words.push(a);
    }
  }
  if (words.length) args.text = words.join(' ');
  if (!args.help && args.text !== undefined && args.file !== undefined)
    throw usage('Give either text or --file, not both.');
  if (!args.help && args.text === undefined && args.file === undefined)
    throw usage('Give the text to classify, or --file PATH.');
  return args;
}

/** Options of the classify command that take a value (so the word after them is not the first positional one). */
const VALUE_OPTIONS = new Set([
  '--file',
  '--model',
  '--variant',
  '--window-tokens',
  '--overlap',
  '--window',
  '--top',
  '--threads',
  '--cache-dir',
  '--explain',
  '--budget',
]);

/** Where `quantize` stands when it is the first positional word (`--cache-dir DIR quantize ID` works too); else -1. */
function subcommandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return -1;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a === 'quantize' ? i : -1;
  }
  return -1;
}

function usage(msg: string): InspectorError {
  return new InspectorError('BAD_OPTION', msg, 'See distilbert-inspector --help.');
}

function readInput(args: CliArgs): { text: string; name: string } {
  if (args.file === undefined) return { text: args.text!, name: 'The text' };
  const bytes = readBoundedFile(args.file, {
    maxBytes: TEXT_FILE_LIMIT_BYTES,
    code: 'BAD_OPTION',
    hint: 'Give --file a regular UTF-8 text file (classify a part of a larger one).',
  });
  return { text: decodeTextFile(bytes, args.file), name: args.file };
}

export async function main(argv: string[]): Promise<number> {
  let inspector: Inspector | undefined;
  try {
    if (argv[0] === 'faithfulness') {
      await faithfulnessMain(argv.slice(1));
      return 0;
    }
    if (argv[0] === 'dataset') {
      await datasetCommand(argv.slice(1));
      return 0;
    }
    const sub = subcommandIndex(argv);
    if (sub >= 0)
      return await quantizeCommand(
        [...argv.slice(0, sub), ...argv.slice(sub + 1)],
        defaultCacheDir(process.platform, process.env, os.homedir()),
      );
    const args = parseArgs(argv);
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { text } = readInput(args);
    prepareCacheDir(args.cacheDir, args.cacheDirFrom);
    // A hub id is downloaded (or found in the cache) first; progress goes to stderr so --json stays clean.
    const dir = await folderForVariant(
      args.variant,
      async (variant) =>
        (await resolveModelArg(args.model, { cacheDir: args.cacheDir, variant, progress: process.stderr })).dir,
    );
    inspector = await Inspector.open({
      modelDir: dir,
      cacheDir: args.cacheDir,
      threads: args.threads,
      variant: args.variant,
    });
    const { dim } = inspector.model;
    if (args.top > dim)
      throw usage(`--top needs a whole number from 1 to ${dim} (the units of this model's head), got ${args.top}.`);
    const ins = await inspector.inspect(text, {
      windowTokens: args.windowTokens,
      overlap: args.overlap,
      mode: args.truncate ? 'truncate' : 'windows',
      topUnits: args.top,
      tokenLens: args.tokenLens,
    });
    if (args.window > ins.windows.length) {
      const n = ins.windows.length;
      throw usage(
        `--window needs a whole number from 1 to ${n} (the text was read in ${n} window${n === 1 ? '' : 's'}), got ${args.window}.`,
      );
    }
    const mode = args.truncate ? 'truncate' : 'windows';
    const attention =
      args.attention === 'none'
        ? undefined
        : await inspector.attention(text, {
            windowTokens: args.windowTokens,
            overlap: args.overlap,
            mode,
            full: args.attention === 'full',
          });
    const explanation = args.explain
      ? await inspector.explain(text, { method: args.explain, budget: args.budget })
      : undefined;
    if (args.json) {
      // windowToJson keeps the contract's names (stages.relu for the activation's output).
      const windows = ins.windows.map((w, i) =>
        windowToJson(attention ? { ...w, attention: attentionJson(attention.windows[i]!) } : w),
      );
      process.stdout.write(`${JSON.stringify({ ...ins, windows, ...(explanation ? { explanation } : {}) })}\n`);
    } else {
      const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
      process.stdout.write(
        `${formatInspection(text, ins, { window: args.window - 1, topK: args.top, dropout: ins.model.dropout, color })}\n`,
      );
      // Item texts quote the input: no terminal controls, line by line.
      if (explanation)
        process.stdout.write(`${formatExplanation(explanation).split('\n').map(terminalSafe).join('\n')}\n`);
    }
    return 0;
  } catch (err) {
    const e = toInspectorError(err, 'INFERENCE_FAILED');
    // Messages can quote a model's or a server's strings: no terminal controls, one line.
    process.stderr.write(`distilbert-inspector: ${terminalSafe(e.oneLine().replace(/\s*\n\s*/g, ' '))}\n`);
    if (process.env['DISTILBERT_INSPECTOR_DEBUG'] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return e.code === 'BAD_OPTION' ? 2 : 1;
  } finally {
    await inspector?.dispose();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

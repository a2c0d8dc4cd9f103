#!/usr/bin/env node
// `distilbert-inspector "some text"`: classify text with a DistilBERT model and print its head layer by layer.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InspectorError, toInspectorError } from '../core/errors';
import { resolveModelArg } from '../core/hub';
import { Inspector, defaultModelDir } from '../core/inspector';
import type { OnnxVariant } from '../core/model/modelFolder';
import { decodeTextFile } from '../core/text/textInput';
import { datasetCommand } from './dataset';
import { formatInspection } from './format';

const USAGE = `usage: distilbert-inspector [options] "text to classify"
       distilbert-inspector [options] --file PATH
       distilbert-inspector dataset FILE [options]   (a labelled CSV/TSV/JSONL/Parquet file; see dataset --help)

options:
  --file PATH          classify a whole file (windows over long text)
  --model DIR|ID       model folder in the Hugging Face layout (default: the bundled distilbert-sst2-small),
                       or a hub id owner/name[@revision], downloaded once into the cache (token: $HF_TOKEN,
                       endpoint: $HF_ENDPOINT, proxy: $HTTPS_PROXY/$NO_PROXY, offline: $HF_HUB_OFFLINE=1)
  --variant V          ONNX graph: fp32 (onnx/model.onnx, default) or quantized (onnx/model_quantized.onnx)
  --json               print machine-readable JSON
  --window-tokens N    tokens per window, [CLS]/[SEP] included (default: the model's max length)
  --overlap N          word pieces shared by consecutive windows (default 64)
  --truncate           read only the first window instead of the whole text
  --window N           which window gets the detailed view (1-based, default 1)
  --top K              units listed toward/against each label (default 5)
  --threads N          ONNX Runtime threads (default: one per core)
  --cache-dir DIR      where tapped graphs and hub downloads (DIR/hub) are cached
                       (default: $DISTILBERT_INSPECTOR_CACHE or $XDG_CACHE_HOME/distilbert-inspector)
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
  threads: number;
  cacheDir: string;
  help: boolean;
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
    threads: 0,
    cacheDir: env['DISTILBERT_INSPECTOR_CACHE'] ?? path.join(env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'distilbert-inspector'),
    help: false,
  };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage(`${a} needs a value.`);
      return v;
    };
    const int = (): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n)) throw usage(`${a} needs a whole number, got "${v}".`);
      return n;
    };
    switch (a) {
      case '--file': args.file = value(); break;
      case '--model': args.model = value(); break;
      case '--variant': {
        const v = value();
        if (v !== 'fp32' && v !== 'quantized') throw usage(`--variant is fp32 or quantized, got "${v}".`);
        args.variant = v;
        break;
      }
      case '--json': args.json = true; break;
      case '--window-tokens': args.windowTokens = int(); break;
      case '--overlap': args.overlap = int(); break;
      case '--truncate': args.truncate = true; break;
      case '--window': args.window = int(); break;
      case '--top': args.top = int(); break;
      case '--threads': args.threads = int(); break;
      case '--cache-dir': args.cacheDir = value(); break;
      case '-h': case '--help': args.help = true; break;
      case '--': words.push(...argv.slice(i + 1)); i = argv.length; break;
      default:
        if (a.startsWith('--')) throw usage(`Unknown option ${a}.`);
        words.push(a);
    }
  }
  if (words.length) args.text = words.join(' ');
  if (!args.help && args.text !== undefined && args.file !== undefined) throw usage('Give either text or --file, not both.');
  if (!args.help && args.text === undefined && args.file === undefined) throw usage('Give the text to classify, or --file PATH.');
  return args;
}

function usage(msg: string): InspectorError {
  return new InspectorError('BAD_OPTION', msg, 'See distilbert-inspector --help.');
}

function readInput(args: CliArgs): { text: string; name: string } {
  if (args.file === undefined) return { text: args.text!, name: 'The text' };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(args.file);
  } catch (err) {
    throw new InspectorError('BAD_OPTION', `Cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, 'Check the path.');
  }
  return { text: decodeTextFile(bytes, args.file), name: args.file };
}

export async function main(argv: string[]): Promise<number> {
  let inspector: Inspector | undefined;
  try {
    if (argv[0] === 'dataset') {
      await datasetCommand(argv.slice(1));
      return 0;
    }
    const args = parseArgs(argv);
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { text } = readInput(args);
    // A hub id is downloaded (or found in the cache) first; progress goes to stderr so --json stays clean.
    const { dir } = await resolveModelArg(args.model, { cacheDir: args.cacheDir, variant: args.variant, progress: process.stderr });
    inspector = await Inspector.open({ modelDir: dir, cacheDir: args.cacheDir, threads: args.threads, variant: args.variant });
    const ins = await inspector.inspect(text, {
      windowTokens: args.windowTokens,
      overlap: args.overlap,
      mode: args.truncate ? 'truncate' : 'windows',
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(ins)}\n`);
    } else {
      const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
      process.stdout.write(`${formatInspection(text, ins, { window: args.window - 1, topK: args.top, dropout: ins.model.dropout, color })}\n`);
    }
    return 0;
  } catch (err) {
    const e = toInspectorError(err, 'INFERENCE_FAILED');
    process.stderr.write(`distilbert-inspector: ${e.oneLine().replace(/\s*\n\s*/g, ' ')}\n`);
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

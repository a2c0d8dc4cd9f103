// Option values every CLI command reads the same way (classify, quantize, faithfulness, dataset), so a number
// or a graph variant that one command refuses is refused by all, with the same words.
import * as os from 'node:os';
import { defaultModelDir } from '../core/inspector';
import type { OnnxVariant } from '../core/model/modelFolder';
import { defaultCacheDir } from './cacheDir';

/** The largest whole number a count option takes (nine digits). */
export const MAX_INT = 999_999_999;

/**
 * `raw` as a whole number in [min, max], digits only: Number() would take "", "1e3", "0x20" and " 7 ".
 * `range` words the bound for the message; `fail` makes the command's own usage error (exit 2).
 */
export function wholeNumber(
  flag: string,
  raw: string,
  min: number,
  max: number,
  fail: (msg: string) => Error,
  range = `from ${min} to ${max}`,
): number {
  const n = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw fail(`${flag} needs a whole number ${range}, got "${raw}".`);
  return n;
}

/**
 * A command's words, flag by flag: iterate it for each word; `value()` takes the word after the current one as
 * that flag's value, or throws the command's usage error naming the flag; `rest()` takes every word left.
 * With `refuseFlags` a value may not start with "--", so a forgotten value does not swallow the next option.
 */
export class OptionWords implements Iterable<string> {
  private i = -1;

  constructor(
    private readonly argv: readonly string[],
    private readonly fail: (msg: string) => Error,
    private readonly refuseFlags = false,
  ) {}

  *[Symbol.iterator](): Iterator<string> {
    while (++this.i < this.argv.length) yield this.argv[this.i]!;
  }

  readonly value = (): string => {
    const flag = this.argv[this.i];
    const v = this.argv[++this.i];
    if (v === undefined || (this.refuseFlags && v.startsWith('--'))) throw this.fail(`${flag} needs a value.`);
    return v;
  };

  rest(): string[] {
    const left = this.argv.slice(this.i + 1);
    this.i = this.argv.length;
    return left;
  }
}

/** How every command that runs the model finds and runs it (--model, --variant, --threads, --cache-dir). */
export interface ModelOptions {
  model: string;
  variant: OnnxVariant;
  threads: number;
  cacheDir: string;
}

/** The bundled model's fp32 graph, ONNX Runtime's own thread count (0) and the per-user cache folder. */
export function modelDefaults(env: NodeJS.ProcessEnv): ModelOptions {
  return {
    model: defaultModelDir(),
    variant: 'fp32',
    threads: 0,
    cacheDir: defaultCacheDir(process.platform, env, os.homedir()),
  };
}

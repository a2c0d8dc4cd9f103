// The ONNX files of a model folder, named as the Hugging Face hub and transformers.js name their dtypes,
// and `auto`: the fastest graph the folder has that this CPU runs well.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError } from '../errors';
import { detectCpu, type Int8Cpu } from '../quantize/cpu';
import { readQuantizationInfo } from '../quantize/quantizeGraph';

/** The dtypes this project runs, as transformers.js names them ('q8' and 'quantized' are one file). */
export const ONNX_DTYPES = ['fp32', 'fp16', 'q8', 'quantized', 'int8', 'uint8'] as const;
/** One concrete ONNX file of a folder. */
export type OnnxDtype = (typeof ONNX_DTYPES)[number];
/** What a user may ask for: a dtype, or `auto`. */
export type OnnxVariant = OnnxDtype | 'auto';

/** File names under onnx/ (the hub layout). */
export const ONNX_FILES: Record<OnnxDtype, string> = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  quantized: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
};

/** Hub dtypes with 4-bit weights: ONNX Runtime's CPU path for them (MatMulNBits) is not tapped here. */
const FOUR_BIT: Record<string, string> = { q4: 'model_q4.onnx', q4f16: 'model_q4f16.onnx', bnb4: 'model_bnb4.onnx' };

const VARIANT_HELP = `${[...ONNX_DTYPES, 'auto'].join(', ')}`;

/** Validates a variant name from a setting or the command line; `where` names it in the message. */
export function parseVariant(value: string, where: string): OnnxVariant {
  if ((ONNX_DTYPES as readonly string[]).includes(value) || value === 'auto') return value as OnnxVariant;
  if (value in FOUR_BIT) {
    throw new InspectorError(
      'BAD_OPTION',
      `${where} is "${value}": 4-bit graphs (onnx/${FOUR_BIT[value]}) are not supported.`,
      'Use int8 (fastest on this CPU path; make it with `distilbert-inspector quantize MODEL`), quantized, fp32 or auto.',
    );
  }
  throw new InspectorError(
    'BAD_OPTION',
    `${where} is "${value}", which is not an ONNX variant.`,
    `Use one of ${VARIANT_HELP}.`,
  );
}

/** The graph to download from the hub for a variant: `auto` fetches fp32 and picks among what the folder then has. */
export function hubDtype(variant: OnnxVariant): OnnxDtype {
  return variant === 'auto' ? 'fp32' : variant === 'q8' ? 'quantized' : variant;
}

/**
 * The folder for `variant` from a source that fetches one dtype's files (a hub download; a local folder returns
 * itself). An int8 graph the hub does not have (or that cannot be fetched now) may be one `quantize` wrote into
 * the fp32 snapshot: that folder is used when it holds onnx/model_int8.onnx, else the first error stands.
 */
export async function folderForVariant(
  variant: OnnxVariant,
  fetch: (dtype: OnnxDtype) => Promise<string>,
): Promise<string> {
  const dtype = hubDtype(variant);
  try {
    return await fetch(dtype);
  } catch (err) {
    if (dtype !== 'int8') throw err;
    const fp32 = await fetch('fp32').catch(() => undefined);
    if (fp32 !== undefined && findDtypeFile(fp32, 'int8')) return fp32;
    throw err;
  }
}

/** The dtype a file name stands for ('quantized' for model_quantized.onnx). */
export function dtypeOfFile(file: string): OnnxDtype | undefined {
  const base = path.basename(file);
  return (Object.keys(ONNX_FILES) as OnnxDtype[]).find((d) => d !== 'q8' && ONNX_FILES[d] === base);
}

/**
 * The path of a dtype's file in `dir` (onnx/ first, then the top level), if something is there. Not only regular
 * files: a FIFO or a link to a device is found here and then refused by the bounded reader, which names what it
 * is, instead of being reported as missing.
 */
export function findDtypeFile(dir: string, dtype: OnnxDtype): string | undefined {
  const file = ONNX_FILES[dtype];
  return [path.join(dir, 'onnx', file), path.join(dir, file)].find((p) => fs.existsSync(p));
}

/** The dtypes present in `dir` (q8 folded into quantized). */
export function availableDtypes(dir: string): OnnxDtype[] {
  return ONNX_DTYPES.filter((d) => d !== 'q8' && findDtypeFile(dir, d) !== undefined);
}

/**
 * `auto`: the int8 graph when this CPU multiplies int8 without saturating (VNNI, AMX, ARM64) or the file was
 * quantized with reduce_range by this project; otherwise fp32; otherwise whatever the folder has, the
 * quantized graphs before fp16 (ONNX Runtime's CPU path upcasts most fp16 ops).
 */
export function pickAuto(dir: string, cpu: Int8Cpu = detectCpu()): { dtype: OnnxDtype; reason: string } | undefined {
  const int8 = findDtypeFile(dir, 'int8');
  if (int8) {
    if (cpu.fastInt8) return { dtype: 'int8', reason: `int8 graph on an ${cpu.reason}` };
    if (safeReadInfo(int8)?.reduceRange)
      return { dtype: 'int8', reason: `int8 graph with 7-bit weights (reduce_range) on an ${cpu.reason}` };
  }
  for (const dtype of ['fp32', 'quantized', 'uint8', 'int8', 'fp16'] as const) {
    if (findDtypeFile(dir, dtype))
      return {
        dtype,
        reason:
          dtype === 'fp32'
            ? int8
              ? `fp32: the int8 graph may saturate on an ${cpu.reason}`
              : 'fp32: no int8 graph in the folder'
            : `the only graph in the folder`,
      };
  }
  return undefined;
}

function safeReadInfo(file: string) {
  try {
    return readQuantizationInfo(file);
  } catch {
    return undefined;
  }
}

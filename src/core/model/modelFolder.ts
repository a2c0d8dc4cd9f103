// A model folder in the Hugging Face layout: config.json, tokenizer.json, tokenizer_config.json and
// onnx/model.onnx (or another dtype's graph, see variants.ts). Validation happens here, before anything heavy loads,
// so a broken folder gets a message that names the missing or garbled file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError } from '../errors';
import { CONFIG_LIMIT_BYTES, readBoundedText } from '../files';
import type { ModelConfig } from '../types';
import { snapshotDisplayName } from '../hub/cacheLayout';
import { parseModelConfig } from './modelConfig';
import { ONNX_FILES, availableDtypes, findDtypeFile, pickAuto, type OnnxDtype, type OnnxVariant } from './variants';

export type { OnnxDtype, OnnxVariant } from './variants';

/** A validated model folder. */
export interface ModelFolder {
  dir: string;
  name: string;
  config: ModelConfig;
  configPath: string;
  tokenizerPath: string;
  tokenizerConfigPath: string | undefined;
  onnxPath: string;
  /** The graph chosen (`auto` resolved) and why, for the panel, the status bar and reports. */
  variant: OnnxDtype;
  variantReason: string;
}

export function resolveModelFolder(dir: string, variant: OnnxVariant = 'fp32'): ModelFolder {
  const abs = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new InspectorError(
      'MODEL_NOT_FOUND',
      `Model folder ${abs} does not exist.`,
      'Use a folder with config.json, tokenizer.json and onnx/model.onnx.',
      {
        cli: 'Pass --model a folder with config.json, tokenizer.json and onnx/model.onnx.',
        vscode:
          'Set distilbertInspector.model.path to a folder with config.json, tokenizer.json and onnx/model.onnx (or leave it empty for the bundled model).',
      },
    );
  }
  if (!stat.isDirectory()) {
    throw new InspectorError(
      'MODEL_NOT_FOUND',
      `Model path ${abs} is a file, not a folder.`,
      'Give the folder that contains config.json and onnx/model.onnx, not a file inside it.',
    );
  }

  const configPath = required(abs, 'config.json');
  const tokenizerPath = required(abs, 'tokenizer.json');
  const tokenizerConfigPath = optional(abs, 'tokenizer_config.json');
  const { onnxPath, dtype, reason } = findOnnx(abs, variant);
  const config = parseModelConfig(
    readBoundedText(configPath, {
      maxBytes: CONFIG_LIMIT_BYTES,
      code: 'MODEL_CONFIG_INVALID',
      hint: 'Use the config.json written by transformers (save_pretrained) for this model.',
    }),
    configPath,
  );
  // A hub snapshot's folder is named by its commit; show owner/name@commit instead.
  return {
    dir: abs,
    name: snapshotDisplayName(abs) ?? path.basename(abs),
    config,
    configPath,
    tokenizerPath,
    tokenizerConfigPath,
    onnxPath,
    variant: dtype,
    variantReason: reason,
  };
}

function required(dir: string, file: string): string {
  const p = path.join(dir, file);
  if (!fs.existsSync(p)) {
    throw new InspectorError(
      'MODEL_FILE_MISSING',
      `Model folder ${dir} has no ${file}.`,
      `Copy ${file} from the model's Hugging Face repository into the folder.`,
    );
  }
  return p;
}

function optional(dir: string, file: string): string | undefined {
  const p = path.join(dir, file);
  return fs.existsSync(p) ? p : undefined;
}

function findOnnx(dir: string, variant: OnnxVariant): { onnxPath: string; dtype: OnnxDtype; reason: string } {
  const chosen =
    variant === 'auto'
      ? pickAuto(dir)
      : { dtype: variant === 'q8' ? ('quantized' as const) : variant, reason: 'chosen in the settings' };
  const found = chosen && findDtypeFile(dir, chosen.dtype);
  if (chosen && found) return { onnxPath: found, dtype: chosen.dtype, reason: chosen.reason };
  const wanted = variant === 'auto' ? ONNX_FILES.fp32 : ONNX_FILES[variant];
  const others = availableDtypes(dir);
  throw new InspectorError(
    'MODEL_FILE_MISSING',
    `Model folder ${dir} has no onnx/${wanted}.`,
    others.length > 0
      ? `It has ${others.map((d) => `onnx/${ONNX_FILES[d]} (${d})`).join(', ')}: choose one of those variants (or auto)` +
          (variant === 'int8' ? ', or make the int8 graph with `distilbert-inspector quantize MODEL`.' : '.')
      : 'Export the model to ONNX (e.g. optimum-cli export onnx --task text-classification) into onnx/model.onnx.',
  );
}

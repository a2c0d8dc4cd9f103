// A model folder in the Hugging Face layout: config.json, tokenizer.json, tokenizer_config.json and
// onnx/model.onnx (or onnx/model_quantized.onnx). Validation happens here, before anything heavy loads,
// so a broken folder gets a message that names the missing or garbled file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError } from '../errors';
import { CONFIG_LIMIT_BYTES, readBoundedText } from '../files';
import type { ModelConfig } from '../types';
import { snapshotDisplayName } from '../hub/cacheLayout';
import { parseModelConfig } from './modelConfig';

/** Which ONNX file of a folder to use. */
export type OnnxVariant = 'fp32' | 'quantized';

const ONNX_FILES: Record<OnnxVariant, string> = {
  fp32: 'model.onnx',
  quantized: 'model_quantized.onnx',
};

/** A validated model folder. */
export interface ModelFolder {
  dir: string;
  name: string;
  config: ModelConfig;
  configPath: string;
  tokenizerPath: string;
  tokenizerConfigPath: string | undefined;
  onnxPath: string;
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
        vscode: 'Set distilbertInspector.model.path to a folder with config.json, tokenizer.json and onnx/model.onnx (or leave it empty for the bundled model).',
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
  const onnxPath = findOnnx(abs, variant);
  const config = parseModelConfig(readBoundedText(configPath, { maxBytes: CONFIG_LIMIT_BYTES, code: 'MODEL_CONFIG_INVALID', hint: 'Use the config.json written by transformers (save_pretrained) for this model.' }), configPath);
  // A hub snapshot's folder is named by its commit; show owner/name@commit instead.
  return { dir: abs, name: snapshotDisplayName(abs) ?? path.basename(abs), config, configPath, tokenizerPath, tokenizerConfigPath, onnxPath };
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

function findOnnx(dir: string, variant: OnnxVariant): string {
  const wanted = ONNX_FILES[variant];
  // Hugging Face (optimum, Xenova) puts the graph under onnx/; some exports keep it at the top level.
  for (const p of [path.join(dir, 'onnx', wanted), path.join(dir, wanted)]) {
    if (fs.existsSync(p)) return p;
  }
  const other = variant === 'fp32' ? 'quantized' : 'fp32';
  const hasOther = [path.join(dir, 'onnx', ONNX_FILES[other]), path.join(dir, ONNX_FILES[other])].some((p) => fs.existsSync(p));
  throw new InspectorError(
    'MODEL_FILE_MISSING',
    `Model folder ${dir} has no onnx/${wanted}.`,
    hasOther
      ? `It has onnx/${ONNX_FILES[other]}: choose the ${other} variant, or export the ${variant} graph.`
      : 'Export the model to ONNX (e.g. optimum-cli export onnx --task text-classification) into onnx/model.onnx.',
  );
}

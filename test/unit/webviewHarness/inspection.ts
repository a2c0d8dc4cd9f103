// Builds Inspections for the webview tests that are internally consistent by construction, computed here
// independently of the core: pre = W_pre·cls + b_pre, relu = max(0, pre), units[l][u] = W_c[l][u]·relu[u],
// logit[l] = bias[l] + Σ units[l], probabilities by softmax/sigmoid, top units by sorting. Seeded, so stable.
import type {
  HeadInfo,
  HeadKind,
  Inspection,
  ModelInfo,
  ProblemType,
  TokenSpan,
  WindowResult,
} from '../../../src/core/types';

export interface FixtureOptions {
  text?: string;
  dim?: number;
  nLayers?: number;
  labels?: string[];
  problemType?: ProblemType;
  /** Word pieces per window (the text's pieces are split into consecutive windows of this size). */
  windowTokens?: number;
  /** Keep only the first window and mark it truncated. */
  truncate?: boolean;
  seed?: number;
  /** Which family's head: sets model.head (names, activation) and uses tanh for BERT/RoBERTa. Unset: no model.head (older exports). */
  head?: HeadKind;
}

/** model.head as the core describes each family (transformers' parameter names). */
export function headInfo(kind: HeadKind, dim: number, labels: number): HeadInfo {
  const names: Record<HeadKind, [string, string]> = {
    distilbert: ['pre_classifier', 'classifier'],
    bert: ['bert.pooler.dense', 'classifier'],
    roberta: ['classifier.dense', 'classifier.out_proj'],
  };
  const [denseName, classifierName] = names[kind];
  return {
    kind,
    activation: kind === 'distilbert' ? 'relu' : 'tanh',
    denseName,
    classifierName,
    pretrainedDense: kind === 'bert',
    denseParams: dim * dim + dim,
    classifierParams: labels * dim + labels,
    denseOp: 'Gemm',
    classifierOp: 'Gemm',
    quantized: false,
  };
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Gaussian-ish noise (sum of uniforms), enough for plausible activations. */
function gauss(r: () => number): number {
  return r() + r() + r() + r() - 2;
}

/** A simple WordPiece-like split: words and punctuation, words longer than 5 chars split into "##" pieces. */
export function pieces(text: string): TokenSpan[] {
  const out: TokenSpan[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9]+|[^\sA-Za-z0-9]/g)) {
    const word = m[0];
    const at = m.index ?? 0;
    for (let i = 0; i < word.length; i += 5) {
      const piece = word.slice(i, i + 5);
      out.push({
        id: 1000 + ((piece.charCodeAt(0) * 31 + piece.length) % 28000),
        text: i === 0 ? piece : `##${piece}`,
        start: at + i,
        end: at + i + piece.length,
        special: false,
      });
    }
  }
  return out;
}

const norm = (v: number[]): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
const cls = (at: number): TokenSpan => ({ id: 101, text: '[CLS]', start: at, end: at, special: true });
const sep = (at: number): TokenSpan => ({ id: 102, text: '[SEP]', start: at, end: at, special: true });

function toProbabilities(logits: number[], problemType: ProblemType): number[] {
  if (problemType === 'multi_label_classification') return logits.map((x) => 1 / (1 + Math.exp(-x)));
  if (problemType === 'regression') return logits;
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export function makeInspection(o: FixtureOptions = {}): Inspection {
  const text = o.text ?? 'A gripping, beautifully acted film; the ending felt rushed but I would watch it again.';
  const dim = o.dim ?? 48;
  const nLayers = o.nLayers ?? 3;
  const labels = o.labels ?? ['NEGATIVE', 'POSITIVE'];
  const problemType = o.problemType ?? 'single_label_classification';
  const r = rng(o.seed ?? 7);
  const tanh = o.head === 'bert' || o.head === 'roberta';
  const wPre = Array.from({ length: dim }, () => Array.from({ length: dim }, () => gauss(r) / Math.sqrt(dim)));
  const bPre = Array.from({ length: dim }, () => gauss(r) * 0.1);
  const wC = labels.map(() => Array.from({ length: dim }, () => gauss(r) * 0.3));
  const bC = labels.map(() => gauss(r) * 0.2);

  const all = pieces(text);
  const per = o.windowTokens ?? Math.max(1, all.length);
  const chunks: TokenSpan[][] = [];
  for (let i = 0; i < all.length; i += per) chunks.push(all.slice(i, i + per));
  if (chunks.length === 0) chunks.push([]);
  const kept = o.truncate ? chunks.slice(0, 1) : chunks;

  const windows: WindowResult[] = kept.map((toks) => {
    const start = toks[0]?.start ?? 0;
    const end = toks[toks.length - 1]?.end ?? 0;
    const layers = Array.from({ length: nLayers }, (_, l) =>
      Array.from({ length: dim }, (_, u) => gauss(r) * (0.5 + l) + (u === 3 ? 6 : 0)),
    );
    const clsVec = layers[nLayers - 1] as number[];
    const pre = wPre.map((row, i) => (bPre[i] as number) + row.reduce((a, w, u) => a + w * (clsVec[u] as number), 0));
    const relu = pre.map((x) => (tanh ? Math.tanh(x * 2) : Math.max(0, x)));
    const contributions: WindowResult['contributions'] = {};
    const topUnits: WindowResult['head']['topUnits'] = {};
    const logits = labels.map((label, l) => {
      const units = relu.map((x, u) => (wC[l]?.[u] as number) * x);
      contributions[label] = { bias: bC[l] as number, units };
      const shares = units.map((value, unit) => ({ unit, value }));
      topUnits[label] = {
        toward: shares
          .filter((s) => s.value > 0)
          .sort((a, b) => b.value - a.value)
          .slice(0, 5),
        against: shares
          .filter((s) => s.value < 0)
          .sort((a, b) => a.value - b.value)
          .slice(0, 5),
      };
      return (bC[l] as number) + units.reduce((a, b) => a + b, 0);
    });
    const probs = toProbabilities(logits, problemType);
    const best = logits.indexOf(Math.max(...logits));
    const zeroed = relu.filter((x) => x === 0).length;
    return {
      start,
      end,
      tokenCount: toks.length + 2,
      label: labels[best] as string,
      probabilities: Object.fromEntries(labels.map((l, i) => [l, probs[i] as number])),
      logits,
      stages: { cls: clsVec, preClassifier: pre, activation: relu, layers },
      contributions,
      head: {
        zeroedUnits: zeroed,
        activeUnits: dim - zeroed,
        norms: { cls: norm(clsVec), preClassifier: norm(pre), relu: norm(relu), layers: layers.map(norm) },
        topUnits,
      },
      tokens: [cls(start), ...toks, sep(end)],
      truncated: !!o.truncate && chunks.length > 1,
    };
  });

  const weights = windows.map((w) => w.tokenCount);
  const total = weights.reduce((a, b) => a + b, 0);
  const aggLogits = labels.map(
    (_, l) => windows.reduce((a, w, i) => a + (w.logits[l] as number) * (weights[i] as number), 0) / total,
  );
  const aggProbs = toProbabilities(aggLogits, problemType);
  const coveredEnd = windows[windows.length - 1]?.end ?? 0;
  return {
    model: {
      name: 'fixture-distilbert',
      path: '/models/fixture-distilbert',
      architecture: {
        distilbert: 'DistilBertForSequenceClassification',
        bert: 'BertForSequenceClassification',
        roberta: 'RobertaForSequenceClassification',
      }[o.head ?? 'distilbert'],
      labels,
      problemType,
      dim,
      nLayers,
      maxLength: 512,
      onnxFile: 'onnx/model.onnx',
      dropout: 0.2,
      ...(o.head ? { head: headInfo(o.head, dim, labels.length) } : {}),
    } satisfies ModelInfo,
    windows,
    aggregate: {
      label: labels[aggLogits.indexOf(Math.max(...aggLogits))] as string,
      probabilities: Object.fromEntries(labels.map((l, i) => [l, aggProbs[i] as number])),
      logits: aggLogits,
      method: 'mean of window logits weighted by tokens',
    },
    coverage: {
      textLength: text.length,
      coveredChars: o.truncate ? coveredEnd : text.length,
      complete: !o.truncate || chunks.length === 1,
      tokens: all.length,
      windowTokens: per + 2,
      stride: per,
      coveredEnd: o.truncate ? coveredEnd : text.length,
    },
    timing: { tokenizeMs: 0.4, inferenceMs: 12.5, totalMs: 13.2 },
  };
}

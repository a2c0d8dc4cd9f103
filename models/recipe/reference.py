"""Torch reference values beside a model folder, and their check against ONNX Runtime (Node).

reference.json lets the TypeScript tests compare every tapped stage with torch. Format:
  { name, opset, head ("gemm"|"matmul"), maxLength, labels, problemType, tolerance,
    cases: [{ text, tokens, ids, truncated, cls, preClassifier, relu, layers[n_layers][dim],
              logits, probabilities }],
    batch: { texts, inputIds, attentionMask, (per row:) cls, preClassifier, relu, layers, logits,
             probabilities } }
probabilities are softmax, or sigmoid when problemType is multi_label_classification.
"""
import json
import os
import subprocess
import tempfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STAGES = ("cls", "preClassifier", "relu", "layers", "logits")


def _r(t: torch.Tensor):
    """float32 values rounded to 8 significant digits (well under any tolerance, half the bytes)."""
    if t.dim() == 0:
        return float(f"{t.item():.8g}")
    return [_r(x) for x in t]


def _probs(logits: torch.Tensor, problem_type):
    return torch.sigmoid(logits) if problem_type == "multi_label_classification" else torch.softmax(logits, -1)


@torch.no_grad()
def reference_json(model, enc, texts, batch_texts, **meta) -> dict:
    model.eval()
    cfg = model.config
    max_len = cfg.max_position_embeddings
    out = {**meta, "maxLength": max_len, "labels": [cfg.id2label[i] for i in range(cfg.num_labels)],
           "problemType": cfg.problem_type or "single_label_classification",
           "tolerance": 1e-4, "cases": []}
    singles = {}
    for text in texts:
        toks, ids = enc.encode(text, max_length=max_len)
        taps = model.forward_with_taps(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))
        case = {"text": text, "tokens": toks, "ids": ids,
                "truncated": len(enc.tokenize(text)) + 2 > max_len}
        for k in STAGES:
            case[k] = _r(taps[k][0])
        case["probabilities"] = _r(_probs(taps["logits"][0], cfg.problem_type))
        out["cases"].append(case)
        singles[text] = taps
    encoded = [enc.encode(t, max_length=max_len)[1] for t in batch_texts]
    width = max(len(e) for e in encoded)
    ids = torch.tensor([e + [0] * (width - len(e)) for e in encoded])
    mask = torch.tensor([[1] * len(e) + [0] * (width - len(e)) for e in encoded])
    taps = model.forward_with_taps(ids, mask)
    b = {"texts": list(batch_texts), "inputIds": ids.tolist(), "attentionMask": mask.tolist()}
    for k in STAGES:
        b[k] = _r(taps[k])
    b["probabilities"] = _r(_probs(taps["logits"], cfg.problem_type))
    for i, t in enumerate(batch_texts):
        if t in singles:  # padding must not change a row's result
            d = (taps["logits"][i] - singles[t]["logits"][0]).abs().max().item()
            assert d < 1e-5, f"padded row {i} differs from the single run by {d}"
    out["batch"] = b
    return out


def head_summary(onnx_path: str) -> str:
    """The chain of ops from the [CLS] slice to `logits`, with the initializers each consumes."""
    import onnx
    g = onnx.load(onnx_path).graph
    inits = {i.name for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    chain, name = [], "logits"
    while name in producer and len(chain) < 8:
        n = producer[name]
        chain.append(f"{n.op_type}({','.join(i for i in n.input if i in inits)})")
        if n.op_type in ("Gather", "Slice"):
            break
        data = [i for i in n.input if i not in inits and i in producer]
        if not data:
            break
        name = data[0]
    return " <- ".join(chain)


_NODE_CHECK = r"""
const fs = require('fs'), path = require('path');
const ort = require('onnxruntime-node');
(async () => {
  const dir = process.argv[1];
  const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
  const s = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'));
  const run = async (rows, masks) => {
    const n = rows.length, w = rows[0].length;
    const t = (a) => new ort.Tensor('int64', BigInt64Array.from(a.flat().map(BigInt)), [n, w]);
    const r = await s.run({ input_ids: t(rows), attention_mask: t(masks) });
    return Array.from(r.logits.data);
  };
  let max = 0;
  for (const c of ref.cases) {
    const got = await run([c.ids], [c.ids.map(() => 1)]);
    got.forEach((v, i) => { max = Math.max(max, Math.abs(v - c.logits[i])); });
  }
  const got = await run(ref.batch.inputIds, ref.batch.attentionMask);
  got.forEach((v, i) => { max = Math.max(max, Math.abs(v - ref.batch.logits.flat()[i])); });
  console.log(JSON.stringify({ maxAbsDiff: max }));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def check_onnx_with_node(folder: str, tol: float = 1e-4) -> float:
    """Run onnx/model.onnx in onnxruntime-node (no onnxruntime for Python here) vs reference.json."""
    with tempfile.TemporaryDirectory() as home:
        r = subprocess.run(["node", "-e", _NODE_CHECK, os.path.abspath(folder)], cwd=ROOT,
                           env={**os.environ, "HOME": home}, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"onnxruntime-node check failed for {folder}:\n{r.stderr}")
    diff = json.loads(r.stdout.strip().splitlines()[-1])["maxAbsDiff"]
    if diff > tol:
        raise SystemExit(f"{folder}: ONNX Runtime logits differ from torch by {diff} > {tol}")
    return diff

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


def tapped_copy(onnx_path: str, out_path: str, n_layers: int):
    """A copy of the graph whose outputs also expose the head stages and each block's output,
    found the way torch 1.13 names them, so ORT's values can be compared with torch's."""
    import onnx
    m = onnx.load(onnx_path)
    g = m.graph
    inits = {i.name for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    relu = producer[[i for i in producer["logits"].input if i not in inits][0]]
    assert relu.op_type == "Relu", relu.op_type
    pre = producer[relu.input[0]]
    if pre.op_type == "Add":  # MatMul + Add form
        pre_in = producer[[i for i in pre.input if i not in inits][0]].input[0]
    else:
        pre_in = pre.input[0]
    taps = {"cls": pre_in, "preClassifier": relu.input[0], "relu": relu.output[0]}
    for i in range(n_layers):
        scope = f"/distilbert/transformer/layer.{i}/output_layer_norm/"
        last = [n for n in g.node if n.name.startswith(scope)][-1]
        taps[f"layer{i}"] = last.output[0]
    for name in taps.values():
        g.output.append(onnx.helper.make_empty_tensor_value_info(name))
    onnx.save(m, out_path)
    return taps


_NODE_CHECK = r"""
const fs = require('fs'), path = require('path');
const ort = require('onnxruntime-node');
(async () => {
  const [dir, model, tapsJson] = process.argv.slice(1);
  const taps = JSON.parse(tapsJson);
  const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
  const s = await ort.InferenceSession.create(model);
  const diffs = {};
  const note = (k, a, b) => { a.forEach((v, i) => { diffs[k] = Math.max(diffs[k] ?? 0, Math.abs(v - b[i])); }); };
  const run = async (rows, masks) => {
    const n = rows.length, w = rows[0].length;
    const t = (a) => new ort.Tensor('int64', BigInt64Array.from(a.flat().map(BigInt)), [n, w]);
    return s.run({ input_ids: t(rows), attention_mask: t(masks) });
  };
  const check = (r, want, row, w) => {
    note('logits', Array.from(r.logits.data).slice(row * want.logits.length, (row + 1) * want.logits.length), want.logits);
    for (const k of ['cls', 'preClassifier', 'relu']) {
      const d = r[taps[k]].data, n = want[k].length;
      note(k, Array.from(d).slice(row * n, (row + 1) * n), want[k]);
    }
    want.layers.forEach((vec, i) => {
      const d = r[taps['layer' + i]].data, dim = vec.length;  // (batch, seq, dim): the [CLS] row
      note('layers', Array.from(d).slice(row * w * dim, row * w * dim + dim), vec);
    });
  };
  for (const c of ref.cases) check(await run([c.ids], [c.ids.map(() => 1)]), c, 0, c.ids.length);
  const b = ref.batch, r = await run(b.inputIds, b.attentionMask);
  b.texts.forEach((_, row) => check(r, { logits: b.logits[row], cls: b.cls[row], preClassifier: b.preClassifier[row],
    relu: b.relu[row], layers: b.layers[row] }, row, b.inputIds[0].length));
  console.log(JSON.stringify(diffs));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def check_onnx_with_node(folder: str, tol: float = 1e-4) -> dict:
    """Run onnx/model.onnx in onnxruntime-node (no onnxruntime for Python here) against
    reference.json: max |ORT - torch| for logits and every tapped stage, checked against tol."""
    with open(os.path.join(folder, "config.json")) as f:
        n_layers = json.load(f)["n_layers"]
    with tempfile.TemporaryDirectory() as home:
        tapped = os.path.join(home, "tapped.onnx")
        taps = tapped_copy(os.path.join(folder, "onnx", "model.onnx"), tapped, n_layers)
        r = subprocess.run(["node", "-e", _NODE_CHECK, os.path.abspath(folder), tapped, json.dumps(taps)],
                           cwd=ROOT, env={**os.environ, "HOME": home}, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"onnxruntime-node check failed for {folder}:\n{r.stderr}")
    diffs = json.loads(r.stdout.strip().splitlines()[-1])
    worst = max(diffs.values())
    if worst > tol:
        raise SystemExit(f"{folder}: ONNX Runtime differs from torch by {diffs} > {tol}")
    return diffs

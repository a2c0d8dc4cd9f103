"""Independent reference for the head lens tests (numpy, float64), not the project's own head code.

  lens_reference.py expose MODEL.onnx KIND N_LAYERS OUT.onnx
      copies the graph with the embeddings' LayerNorm output and the last block's output declared as graph
      outputs, found by Hugging Face's scope names; prints {"embeddings": name, "hidden": name}.
  lens_reference.py head MODEL.onnx KIND < {"vectors": [[...]], "classifierOnly": [[...]]}
      applies the head, read from the initializers by their Hugging Face names, to each vector; prints
      {"logits", "act"} per vector, and the classifier alone on each of "classifierOnly"."""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper

DENSE = {"distilbert": "pre_classifier", "bert": "bert.pooler.dense", "roberta": "classifier.dense"}
CLASSIFIER = {"distilbert": "classifier", "bert": "classifier", "roberta": "classifier.out_proj"}
LAST_BLOCK = {
    "distilbert": "/distilbert/transformer/layer.{}/output_layer_norm/",
    "bert": "/bert/encoder/layer.{}/output/LayerNorm/",
    "roberta": "/roberta/encoder/layer.{}/output/LayerNorm/",
}


def last_output(graph, prefix):
    nodes = [n for n in graph.node if n.name.startswith(prefix)]
    if not nodes:
        raise SystemExit(f"no node under {prefix}")
    return nodes[-1].output[0]


def expose(model_path, kind, n_layers, out_path):
    model = onnx.load(model_path)
    g = model.graph
    emb = last_output(g, f"/{kind}/embeddings/LayerNorm/")
    hidden = last_output(g, LAST_BLOCK[kind].format(int(n_layers) - 1))
    for name in (emb, hidden):
        g.output.append(onnx.helper.make_empty_tensor_value_info(name))
    onnx.save(model, out_path)
    print(json.dumps({"embeddings": emb, "hidden": hidden}))


def head(model_path, kind):
    inits = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in onnx.load(model_path).graph.initializer}
    w1, b1 = inits[DENSE[kind] + ".weight"], inits[DENSE[kind] + ".bias"]
    w2, b2 = inits[CLASSIFIER[kind] + ".weight"], inits[CLASSIFIER[kind] + ".bias"]
    req = json.load(sys.stdin)
    out = []
    for v in req["vectors"]:
        z = np.zeros(w1.shape[0])
        for o in range(w1.shape[0]):
            z[o] = b1[o] + sum(w1[o, i] * v[i] for i in range(w1.shape[1]))
        act = np.maximum(z, 0) if kind == "distilbert" else np.tanh(z)
        logits = [b2[l] + float(np.dot(w2[l], act)) for l in range(w2.shape[0])]
        out.append({"logits": logits, "act": act.tolist()})
    only = [(w2 @ np.array(v, dtype=np.float64) + b2).tolist() for v in req["classifierOnly"]]
    print(json.dumps({"results": out, "classifierOnly": only, "classifierWeight": w2.tolist()}))


if __name__ == "__main__":
    if sys.argv[1] == "expose":
        expose(*sys.argv[2:6])
    else:
        head(sys.argv[2], sys.argv[3])

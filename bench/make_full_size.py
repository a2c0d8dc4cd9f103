"""A full-size DistilBERT classifier (dim 768, 6 layers, 12 heads, ffn 3072, vocab 30522) with random weights,
for speed measurements only: `python3 bench/make_full_size.py OUT_DIR TOKENIZER_DIR`. Never committed
(268 MB); the benchmark makes it in a temp folder. Random weights time exactly like trained ones."""
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "recipe"))
from modeling import DistilBertConfig, DistilBertForSequenceClassification, export_onnx  # noqa: E402


def main(out: str, tokenizer_dir: str) -> None:
    torch.manual_seed(0)
    cfg = DistilBertConfig()  # the defaults are distilbert-base-uncased's sizes
    model = DistilBertForSequenceClassification(cfg).eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    tmp = os.path.join(out, "onnx", "model.onnx.tmp")
    export_onnx(model, tmp, opset=17)
    os.replace(tmp, os.path.join(out, "onnx", "model.onnx"))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg.to_hf_json(), f, indent=2)
    # The bundled model's WordPiece vocabulary is smaller than 30522, which the embedding accepts.
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tokenizer_dir, name), os.path.join(out, name))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

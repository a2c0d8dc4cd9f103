"""Turn train.py's best checkpoint into the shipped Hugging Face-layout model folder.

  /usr/bin/python3 models/recipe/export.py --work /tmp/distilbert-sst2-small-work \
      --out models/distilbert-sst2-small

Writes config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx (opset 17) and
reference.json (torch's stage values for a few sentences), then checks the ONNX file in
onnxruntime-node and the tokenizer in @huggingface/tokenizers, and prints torch's dev accuracy.
"""
import argparse
import json
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wordpiece as wp  # noqa: E402
from modeling import DistilBertConfig, DistilBertForSequenceClassification, export_onnx  # noqa: E402
from reference import reference_json, check_onnx_with_node, head_summary  # noqa: E402
from train import SST2, collate  # noqa: E402

TEXTS = [
    "a gorgeous , witty , seductive movie .",
    "the plot is a tedious mess of clichés and the acting is even worse .",
    "it is not a bad film at all .",
    "I didn't love it, but the performances are terrific 👍",
    "Amélie meets 日本 in this naïve, charming comedy!",
    # Longer than 512 tokens: truncated.
    " ".join(["the film drags on and on , and by the end i no longer cared about anyone in it ."] * 30),
]
BATCH = [TEXTS[2], TEXTS[1]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/distilbert-sst2-small-work")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "distilbert-sst2-small"))
    ap.add_argument("--ckpt", default="best.pt")
    args = ap.parse_args()
    torch.set_num_threads(1)
    with open(os.path.join(args.work, "args.json")) as f:
        targs = json.load(f)
    with open(os.path.join(args.work, "vocab.txt"), encoding="utf-8") as f:
        vocab = f.read().split("\n")[:-1]
    enc = wp.WordPieceEncoder(vocab)
    cfg = DistilBertConfig(vocab_size=len(vocab), max_position_embeddings=512, dim=targs["dim"],
                           n_layers=targs["layers"], n_heads=targs["heads"], hidden_dim=targs["hidden"],
                           dropout=targs.get("dropout", 0.1), attention_dropout=targs.get("dropout", 0.1),
                           seq_classif_dropout=targs.get("classif_dropout", 0.2))
    model = DistilBertForSequenceClassification(cfg)
    ck = torch.load(os.path.join(args.work, args.ckpt))
    model.load_state_dict(ck["state_dict"])
    model.eval()
    print(f"checkpoint: step {ck['step']} epoch {ck['epoch']:.2f}, dev accuracy during training {ck['dev_accuracy']:.4f}")

    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg.to_hf_json(), f, indent=2)
        f.write("\n")
    wp.write_tokenizer_files(vocab, args.out, 512)
    onnx_path = os.path.join(args.out, "onnx", "model.onnx")
    export_onnx(model, onnx_path, 17)
    ref = reference_json(model, enc, TEXTS, BATCH, name=os.path.basename(os.path.abspath(args.out)),
                         opset=17, head="gemm")
    with open(os.path.join(args.out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(ref, f, ensure_ascii=False, indent=1)
        f.write("\n")
    for c in ref["cases"]:
        print(f"  {c['text'][:60]!r}: {dict(zip(ref['labels'], c['probabilities']))}, "
              f"relu active {sum(v > 0 for v in c['relu'])}/{cfg.dim}")

    # torch dev accuracy and confusion matrix (rows: gold, columns: predicted)
    dev = [(enc.encode(s, 512)[1], y) for s, y in wp.read_sst2(os.path.join(SST2, "dev.tsv"))]
    cm = [[0, 0], [0, 0]]
    with torch.no_grad():
        for k in range(0, len(dev), 128):
            idx = list(range(k, min(k + 128, len(dev))))
            ids, mask, y = collate(dev, idx)
            for g, p in zip(y.tolist(), model(ids, mask).argmax(-1).tolist()):
                cm[g][p] += 1
    acc = (cm[0][0] + cm[1][1]) / len(dev)
    print(f"torch dev accuracy {acc:.4f} ({cm[0][0] + cm[1][1]}/{len(dev)}); confusion gold x pred {cm}")
    print("onnx head:", head_summary(onnx_path))
    print(f"onnx size {os.path.getsize(onnx_path) / 1e6:.1f} MB")
    diffs = check_onnx_with_node(args.out)
    print("ORT vs torch max|diff|: " + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()))
    subprocess.run([sys.executable, os.path.join(HERE, "check_tokenizer_node.py"), args.out, "3000"], check=True)


if __name__ == "__main__":
    main()

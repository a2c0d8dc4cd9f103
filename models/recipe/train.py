"""Train the bundled SST-2 DistilBERT: vocabulary -> short MLM pretraining -> phrase-level fine-tuning.

  OPENBLAS_NUM_THREADS=2 /usr/bin/python3 models/recipe/train.py --work /tmp/sst2-small

Everything it writes goes to --work (vocab, checkpoints, log); export.py turns the best checkpoint
into the shipped model folder. Phases resume: a finished phase's checkpoint is reused.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import wordpiece as wp  # noqa: E402
from modeling import DistilBertConfig, DistilBertForSequenceClassification  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SST2 = os.path.join(ROOT, "..", "shared", "data", "sst2")


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


class MLMHead(nn.Module):
    """HF DistilBertForMaskedLM's head (vocab_transform, GELU, vocab_layer_norm, tied projector).
    Used only for pretraining; the shipped classifier does not contain it."""

    def __init__(self, cfg, word_embeddings: nn.Embedding):
        super().__init__()
        self.vocab_transform = nn.Linear(cfg.dim, cfg.dim)
        self.act = nn.GELU()
        self.vocab_layer_norm = nn.LayerNorm(cfg.dim, eps=1e-12)
        self.word_embeddings = word_embeddings
        self.bias = nn.Parameter(torch.zeros(cfg.vocab_size))

    def forward(self, h):
        h = self.vocab_layer_norm(self.act(self.vocab_transform(h)))
        return h @ self.word_embeddings.weight.t() + self.bias


PROBE, WARMUP = 40, 100


def fit_budget(total, minutes, t0, phase):
    """Shrink a phase's step count to its wall-time budget, from the speed of its first steps.

    The cores are shared with other work, so a fixed step count could run for hours. The
    chosen count is logged; passing it as the step count (with --*-minutes 0) replays the
    same run deterministically.
    """
    per_step = (time.time() - t0) / PROBE
    fitted = min(total, max(PROBE + WARMUP, int(minutes * 60 / per_step)))
    log(f"{phase}: {per_step:.2f}s/step -> {fitted} steps for a {minutes} min budget")
    return fitted


def lr_at(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * max(0.0, (total - step) / max(1, total - warmup))


def make_optimizer(params, lr, wd):
    decay, no_decay = [], []
    for n, p in params:
        (no_decay if p.dim() == 1 or "LayerNorm" in n or "layer_norm" in n else decay).append(p)
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.98), eps=1e-6)


# --- word-embedding init ---

def ppmi_svd_embeddings(docs, vocab_size, dim, window=4):
    """Word vectors from co-occurrence statistics (PPMI + truncated SVD), a cheap stand-in for
    pretrained embeddings: the cores are shared, so compute goes further this way than in MLM."""
    import numpy as np
    counts = np.zeros(vocab_size * vocab_size, dtype=np.float64)
    flat = np.concatenate([np.array(d + [wp.SEP], dtype=np.int64) for d in docs])
    for k in range(1, window + 1):
        a, b = flat[:-k], flat[k:]
        w = 1.0 / k
        counts += np.bincount(a * vocab_size + b, minlength=vocab_size * vocab_size) * w
        counts += np.bincount(b * vocab_size + a, minlength=vocab_size * vocab_size) * w
    m = torch.from_numpy(counts.reshape(vocab_size, vocab_size).astype(np.float32))
    del counts
    total = m.sum()
    row = m.sum(1, keepdim=True)
    col = m.sum(0, keepdim=True) ** 0.75  # context smoothing as in word2vec
    pmi = torch.log((m * total * col.sum() / total) / (row * col).clamp_min(1e-12)).nan_to_num(0.0)
    pmi = pmi.clamp_min(0.0)
    u, sv, _ = torch.svd_lowrank(pmi, q=dim, niter=3)
    vec = u * sv.sqrt()
    vec[row.squeeze(1) == 0] = 0.0  # tokens never seen keep zero (filled by random init below)
    return vec / vec.std().clamp_min(1e-8)


# --- MLM ---

def mlm_stream(docs_a, docs_b, seq_len, batch, rng):
    """Packed sequences: [CLS] doc [SEP] doc [SEP] ..., docs drawn half from each pool."""
    while True:
        rows = []
        for _ in range(batch):
            row = [wp.CLS]
            while len(row) < seq_len:
                pool = docs_a if rng.random() < 0.5 else docs_b
                row += pool[rng.randrange(len(pool))][: seq_len - 2] + [wp.SEP]
            rows.append(row[:seq_len])
        yield torch.tensor(rows)


def mask_tokens(ids, vocab_size, rng_t):
    labels = ids.clone()
    special = ids < 5
    pick = (torch.rand(ids.shape, generator=rng_t) < 0.15) & ~special
    labels[~pick] = -100
    r = torch.rand(ids.shape, generator=rng_t)
    ids = ids.clone()
    ids[pick & (r < 0.8)] = wp.MASK
    rand_sel = pick & (r >= 0.8) & (r < 0.9)
    ids[rand_sel] = torch.randint(5, vocab_size, ids.shape, generator=rng_t)[rand_sel]
    return ids, labels


def pretrain(model, enc, args, path):
    rng, rng_t = random.Random(1), torch.Generator().manual_seed(1)
    sst = [enc.ids_of(s) for s, _ in wp.read_sst2(os.path.join(SST2, "train.tsv"))]
    sst = [d for d in sst if len(d) >= 4]
    wn = [enc.ids_of(d) for d in corpus.wordnet_docs()]
    log(f"mlm docs: sst2 {len(sst)}, wordnet {len(wn)}")
    head = MLMHead(model.config, model.distilbert.embeddings.word_embeddings)
    params = list(model.distilbert.named_parameters()) + [(f"mlm.{n}", p) for n, p in head.named_parameters()
                                                          if not n.startswith("word_embeddings")]
    opt = make_optimizer(params, args.mlm_lr, 0.01)
    short = mlm_stream(sst, wn, 64, 32, rng)
    long_ = mlm_stream(sst, wn, 512, 4, rng)  # 1 step in 8 trains positions up to 512
    model.train(); head.train()
    t0, ema, total, step = time.time(), None, args.mlm_steps, 0
    while step < total:
        if step == PROBE and args.mlm_minutes > 0:
            total = fit_budget(total, args.mlm_minutes, t0, "mlm")
        for g in opt.param_groups:
            g["lr"] = lr_at(step, total, args.mlm_lr, WARMUP)
        ids = next(long_ if step % args.long_every == args.long_every - 1 else short)
        inp, labels = mask_tokens(ids, model.config.vocab_size, rng_t)
        h = model.distilbert(inp, torch.ones_like(inp))[-1]
        sel = labels != -100
        loss = nn.functional.cross_entropy(head(h[sel]), labels[sel])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 100 == 0 or step == total - 1:
            log(f"mlm step {step}/{total} loss {ema:.3f} lr {opt.param_groups[0]['lr']:.2e} "
                f"{(time.time() - t0) / (step + 1):.2f}s/step")
        if step % 500 == 499:
            torch.save(model.state_dict(), path + ".partial")
        step += 1
    log(f"mlm done: {total} steps")
    torch.save(model.state_dict(), path)


# --- fine-tuning ---

def batches(examples, max_tokens, rng):
    """Length-bucketed batches of about max_tokens tokens (little padding), in random order."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
    out, cur, width = [], [], 0
    for i in order:
        w = max(width, len(examples[i][0]))
        if cur and w * (len(cur) + 1) > max_tokens:
            out.append(cur); cur, w = [], len(examples[i][0])
        cur.append(i); width = w
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def collate(examples, idx):
    width = max(len(examples[i][0]) for i in idx)
    ids = torch.zeros(len(idx), width, dtype=torch.long)
    mask = torch.zeros(len(idx), width, dtype=torch.long)
    for r, i in enumerate(idx):
        e = examples[i][0]
        ids[r, : len(e)] = torch.tensor(e)
        mask[r, : len(e)] = 1
    return ids, mask, torch.tensor([examples[i][1] for i in idx])


@torch.no_grad()
def evaluate(model, dev):
    model.eval()
    correct = 0
    for k in range(0, len(dev), 128):
        idx = list(range(k, min(k + 128, len(dev))))
        ids, mask, y = collate(dev, idx)
        correct += (model(ids, mask).argmax(-1) == y).sum().item()
    model.train()
    return correct / len(dev)


def load_run(work):
    """A finished run of this script (its args.json and best.pt) as an eval-mode classifier."""
    with open(os.path.join(work, "args.json")) as f:
        a = json.load(f)
    with open(os.path.join(work, "vocab.txt"), encoding="utf-8") as f:
        n_vocab = len(f.read().split("\n")) - 1
    cfg = DistilBertConfig(vocab_size=n_vocab, max_position_embeddings=512, dim=a["dim"], n_layers=a["layers"],
                           n_heads=a["heads"], hidden_dim=a["hidden"])
    m = DistilBertForSequenceClassification(cfg)
    m.load_state_dict(torch.load(os.path.join(work, "best.pt"))["state_dict"])
    return m.eval()


@torch.no_grad()
def teacher_probs(works, examples, vocab_path, dev, cache_path=""):
    """The teachers' averaged probabilities for every example (their ensemble), in example order.
    Computed in length-sorted batches (unsorted, padding made it ~5x slower) and cached at cache_path."""
    if cache_path and os.path.exists(cache_path):
        saved = torch.load(cache_path)
        if saved["teachers"] == works and saved["n"] == len(examples):
            log(f"teacher probabilities from {cache_path} (ensemble dev acc {saved['dev_acc']:.4f})")
            return saved["probs"]
    probs = torch.zeros(len(examples), 2)
    dev_probs = torch.zeros(len(dev), 2)
    with open(vocab_path, encoding="utf-8") as f:
        vocab = f.read()
    for w in works:
        with open(os.path.join(w, "vocab.txt"), encoding="utf-8") as f:
            if f.read() != vocab:
                raise SystemExit(f"teacher {w} has another vocabulary; teachers must share this run's vocab.txt")
        m = load_run(w)
        for rows, out in ((examples, probs), (dev, dev_probs)):
            for idx in batches(rows, 4096, random.Random(0)):
                ids, mask, _ = collate(rows, idx)
                out[idx] += torch.softmax(m(ids, mask), -1) / len(works)
        log(f"teacher {w}: dev acc {evaluate(m, dev):.4f}")
    y = torch.tensor([e[1] for e in dev])
    dev_acc = (dev_probs.argmax(-1) == y).float().mean().item()
    log(f"teacher ensemble of {len(works)}: dev acc {dev_acc:.4f}")
    if cache_path:
        torch.save({"teachers": works, "n": len(examples), "probs": probs, "dev_acc": dev_acc}, cache_path)
    return probs


def finetune(model, enc, args, best_path):
    rng = random.Random(2 + 1000 * args.seed)
    enc_row = lambda s: enc.encode(s, 512)[1]  # noqa: E731
    train = [(enc_row(s), y) for s, y in wp.read_sst2(os.path.join(SST2, "train.tsv"))]
    dev = [(enc_row(s), y) for s, y in wp.read_sst2(os.path.join(SST2, "dev.tsv"))]
    soft = None
    if args.teachers:
        # Distillation from an ensemble of earlier runs (born-again networks): their averaged probabilities
        # carry what several random inits agree on, which one small model trained from scratch cannot see.
        soft = teacher_probs(args.teachers.split(","), train, os.path.join(args.work, "vocab.txt"), dev, args.teacher_cache)
    per_epoch = len(batches(train, args.ft_tokens, random.Random(0)))
    total = args.ft_steps or int(per_epoch * args.ft_epochs)
    opt = make_optimizer(list(model.named_parameters()), args.ft_lr, args.weight_decay)
    log(f"fine-tune: {len(train)} phrases, {per_epoch} batches/epoch, {total} steps")
    model.train()
    step, best, t0, ema = 0, -1.0, time.time(), None
    avg, n_avg = None, 0
    while step < total:
        for idx in batches(train, args.ft_tokens, rng):
            if step >= total:
                break
            if step == PROBE and args.ft_minutes > 0:
                total = fit_budget(total, args.ft_minutes * 0.92, t0, "fine-tune")  # 8% for dev evals
                log(f"fine-tune: {total} steps = {total / per_epoch:.2f} epochs")
            for g in opt.param_groups:
                g["lr"] = lr_at(step, total, args.ft_lr, WARMUP)
            ids, mask, y = collate(train, idx)
            logits = model(ids, mask)
            loss = nn.functional.cross_entropy(logits, y, label_smoothing=args.label_smoothing)
            if soft is not None:
                kd = nn.functional.cross_entropy(logits, soft[idx])
                loss = (1 - args.kd_alpha) * loss + args.kd_alpha * kd
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
            step += 1
            # dev accuracy at 40%, 50%, ... 100% of the run; the best checkpoint is kept
            if step == total or (step > 0.35 * total and step % max(1, total // args.evals) == 0):
                acc = evaluate(model, dev)
                log(f"ft step {step}/{total} (epoch {step / per_epoch:.2f}) loss {ema:.3f} dev acc {acc:.4f} "
                    f"{(time.time() - t0) / step:.2f}s/step")
                if acc > best:
                    best = acc
                    torch.save({"state_dict": model.state_dict(), "dev_accuracy": acc, "step": step,
                                "epoch": step / per_epoch}, best_path)
                if args.average_from and step >= args.average_from * total:
                    # weight averaging over the tail of the run (SWA-like); floats only
                    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
                    if avg is None:
                        avg, n_avg = sd, 1
                    else:
                        n_avg += 1
                        for k in avg:
                            if avg[k].is_floating_point():
                                avg[k] += (sd[k] - avg[k]) / n_avg
    if avg is not None:
        model.load_state_dict(avg)
        acc = evaluate(model, dev)
        log(f"average of {n_avg} checkpoints from {args.average_from:.0%} of the run: dev acc {acc:.4f}")
        if acc > best:
            best = acc
            torch.save({"state_dict": avg, "dev_accuracy": acc, "step": step, "epoch": step / per_epoch,
                        "averaged": n_avg}, best_path)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/distilbert-sst2-small-work")
    ap.add_argument("--vocab-size", type=int, default=8192)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--mlm-steps", type=int, default=2000)
    ap.add_argument("--mlm-lr", type=float, default=5e-4)
    ap.add_argument("--mlm-minutes", type=float, default=0, help="wall-time budget (0: run --mlm-steps)")
    ap.add_argument("--ft-epochs", type=float, default=3.0)
    ap.add_argument("--ft-steps", type=int, default=0, help="overrides --ft-epochs")
    ap.add_argument("--ft-minutes", type=float, default=0, help="wall-time budget (0: no budget)")
    ap.add_argument("--ft-lr", type=float, default=1.5e-4)
    ap.add_argument("--ft-tokens", type=int, default=1536, help="tokens (incl. padding) per batch")
    ap.add_argument("--dropout", type=float, default=0.1, help="dropout and attention_dropout")
    ap.add_argument("--classif-dropout", type=float, default=0.2, help="seq_classif_dropout")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--long-every", type=int, default=8, help="MLM: every Nth step uses 512-token rows")
    ap.add_argument("--average-from", type=float, default=0.0,
                    help="also average the weights at each dev eval from this fraction of the run on")
    ap.add_argument("--evals", type=int, default=10, help="dev evals per run (from 35%% on)")
    ap.add_argument("--label-smoothing", type=float, default=0.0)
    ap.add_argument("--ppmi-init", type=int, default=1, help="init word embeddings from PPMI-SVD vectors")
    ap.add_argument("--ppmi-scale", type=float, default=0.1, help="per-component std of those vectors")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (OpenBLAS has its own)")
    ap.add_argument("--seed", type=int, default=0, help="init and batch order (0: the shipped runs' seeds)")
    ap.add_argument("--teachers", default="", help="comma-separated --work dirs of finished runs to distil from")
    ap.add_argument("--teacher-cache", default="", help="file to keep the teachers' probabilities in (shared by runs)")
    ap.add_argument("--kd-alpha", type=float, default=0.7, help="weight of the teachers' soft labels in the loss")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(args.work, "args.json"), "w") as f:
        json.dump(vars(args), f, indent=2)

    vocab_path = os.path.join(args.work, "vocab.txt")
    if not os.path.exists(vocab_path):
        vocab = wp.learn_vocab([s for s, _ in wp.read_sst2(os.path.join(SST2, "train.tsv"))], args.vocab_size)
        with open(vocab_path, "w", encoding="utf-8") as f:
            f.write("\n".join(vocab) + "\n")
    with open(vocab_path, encoding="utf-8") as f:
        vocab = f.read().split("\n")[:-1]
    enc = wp.WordPieceEncoder(vocab)
    enc.ids_of = lambda s: [enc.ids[t] for t in enc.tokenize(s)]
    log(f"vocab {len(vocab)}")

    cfg = DistilBertConfig(vocab_size=len(vocab), max_position_embeddings=512, dim=args.dim,
                           n_layers=args.layers, n_heads=args.heads, hidden_dim=args.hidden,
                           dropout=args.dropout, attention_dropout=args.dropout,
                           seq_classif_dropout=args.classif_dropout)
    model = DistilBertForSequenceClassification(cfg)
    n = sum(p.numel() for p in model.parameters())
    log(f"model: {n / 1e6:.2f}M params ({n * 4 / 1e6:.1f} MB fp32)")

    emb_path = os.path.join(args.work, "ppmi_embeddings.pt")
    if args.ppmi_init:
        if not os.path.exists(emb_path):
            docs = [enc.ids_of(s) for s, _ in wp.read_sst2(os.path.join(SST2, "train.tsv"))]
            docs += [enc.ids_of(d) for d in corpus.wordnet_docs()]
            torch.save(ppmi_svd_embeddings(docs, len(vocab), args.dim), emb_path)
            log("wrote " + emb_path)
        vec = torch.load(emb_path)
        with torch.no_grad():
            w = model.distilbert.embeddings.word_embeddings.weight
            seen = vec.abs().sum(1) > 0
            w[seen] = vec[seen] * args.ppmi_scale
            w[wp.PAD] = 0.0
        log(f"word embeddings initialised from PPMI-SVD for {int(seen.sum())} tokens")

    mlm_path = os.path.join(args.work, "mlm.pt")
    if args.mlm_steps > 0:
        if not os.path.exists(mlm_path):
            pretrain(model, enc, args, mlm_path)
        model.load_state_dict(torch.load(mlm_path))
        log("loaded " + mlm_path)
    best = finetune(model, enc, args, os.path.join(args.work, "best.pt"))
    log(f"best dev accuracy {best:.4f}")


if __name__ == "__main__":
    main()

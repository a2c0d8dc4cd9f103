"""A tiny byte-level BPE (GPT-2 / RoBERTa style): trainer, encoder and Hugging Face tokenizer files.

Pre-tokenization is GPT-2's regex as @huggingface/tokenizers (JS) runs it,
  's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
written out as a scanner (Python's `re` has no \\p{L}; `regex` is not installed), with JavaScript's \\s.
Each pre-token's UTF-8 bytes are mapped to printable characters (bytes_to_unicode, so a space is "Ġ"),
then merged by rank. Special tokens: <s>=0 <pad>=1 </s>=2 <unk>=3, the 256 byte symbols, the merges,
then <mask> last, as in roberta-base.
"""
import collections
import json
import os
import unicodedata
from typing import Dict, Iterable, List, Tuple

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
MASK = "<mask>"
CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"]
# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator).
JS_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}


def bytes_to_unicode() -> Dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_CHARS = bytes_to_unicode()


def _letter(c: str) -> bool:
    return unicodedata.category(c).startswith("L")


def _number(c: str) -> bool:
    return unicodedata.category(c).startswith("N")


def _other(c: str) -> bool:
    return not (c in JS_SPACE or _letter(c) or _number(c))


def pre_tokenize(text: str) -> List[str]:
    out, i, n = [], 0, len(text)
    while i < n:
        m = next((c for c in CONTRACTIONS if text.startswith(c, i)), None)
        if m:
            out.append(m)
            i += len(m)
            continue
        matched = False
        for cls in (_letter, _number, _other):
            j = i + 1 if text[i] == " " and i + 1 < n and cls(text[i + 1]) else i
            if j < n and cls(text[j]) and (j > i or text[i] != " " or cls(" ")):
                k = j
                while k < n and cls(text[k]):
                    k += 1
                out.append(text[i:k])
                i = k
                matched = True
                break
        if matched:
            continue
        k = i
        while k < n and text[k] in JS_SPACE:
            k += 1
        # \s+(?!\S): the run, minus its last space when a non-space follows; else \s+.
        if k < n and k - i >= 2:
            k -= 1
        out.append(text[i:k])
        i = k
    return out


def to_byte_chars(word: str) -> str:
    return "".join(BYTE_CHARS[b] for b in word.encode("utf-8"))


def train(texts: Iterable[str], vocab_size: int) -> Tuple[List[str], List[Tuple[str, str]]]:
    counts = collections.Counter(to_byte_chars(w) for t in texts for w in pre_tokenize(t))
    words = {w: list(w) for w in counts}
    vocab = SPECIALS + [BYTE_CHARS[b] for b in range(256)]
    merges: List[Tuple[str, str]] = []
    while len(vocab) < vocab_size - 1:
        pairs = collections.Counter()
        for w, syms in words.items():
            for a, b in zip(syms, syms[1:]):
                pairs[a, b] += counts[w]
        if not pairs:
            break
        (a, b), freq = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if freq < 2:
            break
        merges.append((a, b))
        vocab.append(a + b)
        for w, syms in words.items():
            i, out = 0, []
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            words[w] = out
    return vocab + [MASK], merges


class ByteLevelBpeEncoder:
    def __init__(self, vocab: List[str], merges: List[Tuple[str, str]]):
        self.vocab = vocab
        self.ids = {t: i for i, t in enumerate(vocab)}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.cache: Dict[str, List[str]] = {}

    def bpe(self, word: str) -> List[str]:
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        syms = list(word)
        while len(syms) > 1:
            best = min(range(len(syms) - 1), key=lambda i: (self.ranks.get((syms[i], syms[i + 1]), 1 << 30), i))
            if (syms[best], syms[best + 1]) not in self.ranks:
                break
            syms[best:best + 2] = [syms[best] + syms[best + 1]]
        self.cache[word] = syms
        return syms

    def tokenize(self, text: str) -> List[str]:
        """Pieces without <s>/</s>; literal special-token strings in the text stay whole, as in HF."""
        out: List[str] = []
        for segment, special in _split_specials(text):
            if special:
                out.append(segment)
            else:
                for w in pre_tokenize(segment):
                    out.extend(self.bpe(to_byte_chars(w)))
        return out

    def encode(self, text: str, max_length: int) -> Tuple[List[str], List[int]]:
        toks = ["<s>"] + self.tokenize(text)[: max_length - 2] + ["</s>"]
        return toks, [self.ids[t] for t in toks]


def _split_specials(text: str):
    """Split out added tokens; <mask> has lstrip (it swallows the spaces before it), as in roberta-base."""
    specials = SPECIALS + [MASK]
    i, start, parts = 0, 0, []
    while i < len(text):
        s = next((s for s in specials if text.startswith(s, i)), None)
        if s:
            parts.append((text[start:i], False))
            parts.append((s, True))
            i += len(s)
            start = i
        else:
            i += 1
    parts.append((text[start:], False))
    for k, (seg, special) in enumerate(parts):
        if special and seg == MASK and k > 0:
            prev = parts[k - 1][0]
            # JavaScript's trimEnd removes \s characters.
            while prev and prev[-1] in JS_SPACE:
                prev = prev[:-1]
            parts[k - 1] = (prev, False)
    return [(s, sp) for s, sp in parts if s]


def tokenizer_json(vocab: List[str], merges: List[Tuple[str, str]]) -> dict:
    added = [{"id": vocab.index(t), "content": t, "single_word": False, "lstrip": t == MASK, "rstrip": False,
              "normalized": False, "special": True} for t in SPECIALS + [MASK]]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                           "trim_offsets": True, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(vocab)},
                  "merges": [f"{a} {b}" for a, b in merges]},
    }


def tokenizer_config_json(model_max_length: int) -> dict:
    return {
        "add_prefix_space": False, "errors": "replace", "trim_offsets": True,
        "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
        "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": MASK,
        "clean_up_tokenization_spaces": False,
        "model_max_length": model_max_length,
        "tokenizer_class": "RobertaTokenizer",
    }


def write_tokenizer_files(vocab, merges, folder: str, model_max_length: int):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab, merges), f, ensure_ascii=False, indent=2)
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_config_json(model_max_length), f, indent=2)
        f.write("\n")

"""Uncased BERT WordPiece: basic tokenization, vocabulary learning, encoding, tokenizer.json.

No `tokenizers`/`transformers` here, so this follows the Rust `tokenizers` crate's semantics
(BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing) closely enough that the
tokenizer.json it writes encodes identically in @huggingface/tokenizers (checked by
check_tokenizer_node.py). Vocabulary learning is BPE over words with '##' continuation
symbols, which is what the HF WordPieceTrainer does too.
"""
import heapq
import json
import unicodedata
from collections import Counter
from typing import Dict, Iterable, List, Tuple

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = range(5)
MAX_CHARS_PER_WORD = 100


# --- normalization (BertNormalizer: clean_text, handle_chinese_chars, strip_accents, lowercase) ---

def _is_control(c: str) -> bool:
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")  # Rust: char::is_other (Cc Cf Cs Co Cn)


def _is_whitespace(c: str) -> bool:
    return c in " \t\n\r" or unicodedata.category(c) in ("Zs", "Zl", "Zp")


def _is_chinese(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_punct(c: str) -> bool:
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def normalize(text: str) -> str:
    out = []
    for c in text:
        if c == "\0" or c == "\ufffd" or _is_control(c):
            continue
        if _is_whitespace(c):
            out.append(" ")
        elif _is_chinese(ord(c)):
            out.append(" " + c + " ")
        else:
            out.append(c)
    text = "".join(out)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return text.lower()


def pre_tokenize(text: str) -> List[str]:
    """BertPreTokenizer: split on whitespace (dropped) and on each punctuation char (kept)."""
    words, cur = [], []
    for c in text:
        if _is_whitespace(c):
            if cur:
                words.append("".join(cur)); cur = []
        elif _is_punct(c):
            if cur:
                words.append("".join(cur)); cur = []
            words.append(c)
        else:
            cur.append(c)
    if cur:
        words.append("".join(cur))
    return words


def basic_tokenize(text: str) -> List[str]:
    return pre_tokenize(normalize(text))


# --- vocabulary learning ---

def learn_vocab(texts: Iterable[str], vocab_size: int, min_frequency: int = 2,
                extra_chars: str = "") -> List[str]:
    """BPE merges over '##'-prefixed continuation symbols until vocab_size tokens exist.

    The alphabet always holds printable ASCII (plain and '##'), so an ASCII word never maps
    to [UNK]; other characters enter only if they occur in the text or in extra_chars.
    """
    word_freq: Counter = Counter()
    for t in texts:
        word_freq.update(basic_tokenize(t))
    alphabet = set(chr(i) for i in range(33, 127)) | set(normalize(extra_chars).replace(" ", ""))
    for w in word_freq:
        alphabet.update(w)
    alphabet = sorted(alphabet)
    vocab = list(SPECIALS) + alphabet + ["##" + c for c in alphabet]
    known = set(vocab)

    words = [[w[0]] + ["##" + c for c in w[1:]] for w in word_freq]
    freqs = list(word_freq.values())
    pair_count: Counter = Counter()
    where: Dict[Tuple[str, str], set] = {}
    for i, syms in enumerate(words):
        for p in zip(syms, syms[1:]):
            pair_count[p] += freqs[i]
            where.setdefault(p, set()).add(i)
    heap = [(-n, p) for p, n in pair_count.items()]
    heapq.heapify(heap)

    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg:
            continue  # stale entry; a fresher one is in the heap
        if -neg < min_frequency:
            break
        merged = pair[0] + (pair[1][2:] if pair[1].startswith("##") else pair[1])
        touched = set()
        for i in list(where.get(pair, ())):
            syms, f = words[i], freqs[i]
            for p in zip(syms, syms[1:]):
                pair_count[p] -= f
                touched.add(p)
            new, j = [], 0
            while j < len(syms):
                if j + 1 < len(syms) and syms[j] == pair[0] and syms[j + 1] == pair[1]:
                    new.append(merged); j += 2
                else:
                    new.append(syms[j]); j += 1
            words[i] = new
            for p in zip(new, new[1:]):
                pair_count[p] += f
                where.setdefault(p, set()).add(i)
                touched.add(p)
        for p in touched:
            if pair_count[p] > 0:
                heapq.heappush(heap, (-pair_count[p], p))
            else:
                pair_count.pop(p, None)
        if merged not in known:
            vocab.append(merged); known.add(merged)
    return vocab


# --- encoding ---

class WordPieceEncoder:
    def __init__(self, vocab: List[str]):
        assert vocab[:5] == SPECIALS, "specials must be ids 0-4"
        self.vocab = vocab
        self.ids = {t: i for i, t in enumerate(vocab)}
        self._cache: Dict[str, List[str]] = {}

    def wordpiece(self, word: str) -> List[str]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        if len(word) > MAX_CHARS_PER_WORD:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end, cur = len(word), None
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in self.ids:
                    cur = sub
                    break
                end -= 1
            if cur is None:
                pieces = ["[UNK]"]  # one unknown piece makes the whole word [UNK], as in HF
                break
            pieces.append(cur)
            start = end
        if len(self._cache) < 500_000:
            self._cache[word] = pieces
        return pieces

    def tokenize(self, text: str) -> List[str]:
        """Tokens without [CLS]/[SEP]. Special-token strings in raw text stay whole, as in HF."""
        out: List[str] = []
        for segment, is_special in _split_specials(text):
            if is_special:
                out.append(segment)
            else:
                for w in basic_tokenize(segment):
                    out.extend(self.wordpiece(w))
        return out

    def encode(self, text: str, max_length: int = 512) -> Tuple[List[str], List[int]]:
        """[CLS] tokens [SEP], truncated like HF truncation=True (the specials always fit)."""
        toks = ["[CLS]"] + self.tokenize(text)[: max_length - 2] + ["[SEP]"]
        return toks, [self.ids[t] for t in toks]


def _split_specials(text: str):
    i, start = 0, 0
    while i < len(text):
        if text[i] == "[":
            for s in SPECIALS:
                if text.startswith(s, i):
                    if start < i:
                        yield text[start:i], False
                    yield s, True
                    i += len(s)
                    start = i
                    break
            else:
                i += 1
        else:
            i += 1
    if start < len(text):
        yield text[start:], False


# --- Hugging Face files ---

def tokenizer_json(vocab: List[str]) -> dict:
    special_map = {t: {"id": t, "ids": [i], "tokens": [t]} for i, t in enumerate(SPECIALS) if t in ("[CLS]", "[SEP]")}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for i, t in enumerate(SPECIALS)
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": special_map,
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": MAX_CHARS_PER_WORD,
                  "vocab": {t: i for i, t in enumerate(vocab)}},
    }


def tokenizer_config_json(model_max_length: int) -> dict:
    return {
        "clean_up_tokenization_spaces": True,
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
        "unk_token": "[UNK]", "mask_token": "[MASK]",
        "do_lower_case": True,
        "model_max_length": model_max_length,
        "strip_accents": None,
        "tokenize_chinese_chars": True,
        "tokenizer_class": "DistilBertTokenizer",
    }


def write_tokenizer_files(vocab: List[str], folder: str, model_max_length: int):
    import os
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab), f, ensure_ascii=False, indent=2)
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_config_json(model_max_length), f, indent=2)
        f.write("\n")


def load_vocab_from_tokenizer_json(path: str) -> List[str]:
    with open(path, encoding="utf-8") as f:
        v = json.load(f)["model"]["vocab"]
    out = [""] * len(v)
    for t, i in v.items():
        out[i] = t
    return out


def read_sst2(path: str) -> List[Tuple[str, int]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            s, _, lab = line.rstrip("\n").rpartition("\t")
            rows.append((s.strip(), int(lab)))
    return rows

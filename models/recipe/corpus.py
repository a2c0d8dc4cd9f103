"""Text sources for the recipe: SST-2 (labelled) and WordNet glosses (unlabelled English, for MLM).

WordNet 3.0 comes from Debian's `wordnet-base` package (/usr/share/wordnet/data.*). Each synset
becomes one short document "lemma, lemma: definition; "example sentence"" -- dictionary English
that covers many sentiment words that SST-2 train sees rarely or never.
"""
import os
import random
from typing import List

WORDNET_DIR = "/usr/share/wordnet"


def wordnet_docs(pos=("adj", "adv", "verb", "noun"), noun_fraction: float = 0.35, seed: int = 0) -> List[str]:
    path = os.path.join(WORDNET_DIR, "data.adj")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: install Debian's wordnet-base (apt-get install wordnet-base)")
    rng = random.Random(seed)
    docs = []
    for p in pos:
        with open(os.path.join(WORDNET_DIR, f"data.{p}"), encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  ") or " | " not in line:
                    continue  # license header
                if p == "noun" and rng.random() > noun_fraction:
                    continue  # nouns dominate WordNet; keep a sample so adjectives weigh more
                head, gloss = line.split(" | ", 1)
                fields = head.split()
                n_words = int(fields[3], 16)
                lemmas = [fields[4 + 2 * i].replace("_", " ") for i in range(n_words)]
                lemmas = [l.split("(")[0] for l in lemmas]  # drop adjective markers like (a)
                docs.append(", ".join(lemmas[:3]) + ": " + gloss.strip())
    return docs

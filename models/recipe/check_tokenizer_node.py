"""Check that a written tokenizer.json encodes like wordpiece.WordPieceEncoder in @huggingface/tokenizers.

Usage: /usr/bin/python3 models/recipe/check_tokenizer_node.py MODEL_DIR [N_SST2_SENTENCES]
Runs node from the repository root (where node_modules has @huggingface/tokenizers).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wordpiece as wp  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
SST2 = os.path.join(REPO, "..", "shared", "data", "sst2")

TRICKY = [
    "Héllo Wörld! Ça va? naïve café résumé Ångström",
    "日本語のテキスト and 中文字符 mixed",
    "emoji 😀👍🏽 ❤️ family 👨‍👩‍👧 flags 🇫🇷 end",
    "punctuation!!! ... ?!?! --- (((nested))) \"quotes\" 'single' `back` ~tilde~ $5.00 100% a+b=c <tag>",
    "tabs\tand\nnewlines\r\nand  multiple   spaces\u00a0nbsp\u2003em\u3000ideographic",
    "zero\u200bwidth\u200djoiner soft\u00adhyphen bom\ufeffhere",
    "[CLS] literal special [SEP] tokens [MASK] and [PAD] [UNK] [cls]",
    "Ünïcödé ÀÉÎÕÜ ßtraße İstanbul ΣΊΣΥΦΟΣ Ελληνικά кириллица",
    "supercalifragilisticexpialidocious " + "a" * 101 + " " + "b" * 100,
    "don't can't won't it's n't 's -- – — … « » „ “ ” ‘ ’",
    "",
    "   ",
    "x",
    "\u0000nul\u0007bell\u001bescape",
    "مرحبا بالعالم עברית",  # RTL
    "a\u0301 e\u0300 combining",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
]


def main():
    model_dir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    vocab = wp.load_vocab_from_tokenizer_json(os.path.join(model_dir, "tokenizer.json"))
    enc = wp.WordPieceEncoder(vocab)
    texts = list(TRICKY)
    train = wp.read_sst2(os.path.join(SST2, "train.tsv"))
    texts += [s for s, _ in train[:: max(1, len(train) // n)]]
    texts += [s for s, _ in wp.read_sst2(os.path.join(SST2, "dev.tsv"))]
    # Re-case some SST-2 sentences so the lowercasing path is exercised too.
    texts += [t.title() for t in texts[len(TRICKY):len(TRICKY) + 200]]
    expected = [[enc.ids[t] for t in ["[CLS]"] + enc.tokenize(t) + ["[SEP]"]] for t in texts]
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "cases.json")
        with open(data, "w", encoding="utf-8") as f:
            json.dump({"texts": texts, "expected": expected}, f, ensure_ascii=False)
        js = """
const fs = require('fs'); const path = require('path');
const {Tokenizer} = require('@huggingface/tokenizers');
const dir = process.argv[1], data = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const tok = new Tokenizer(JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
                          JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')));
let bad = 0;
data.texts.forEach((t, i) => {
  const got = tok.encode(t).ids, exp = data.expected[i];
  if (JSON.stringify(got) !== JSON.stringify(exp)) {
    if (++bad <= 10) console.log('MISMATCH', JSON.stringify(t), '\\n  js', JSON.stringify(tok.encode(t).tokens), '\\n  py', JSON.stringify(exp));
  }
});
console.log(`checked ${data.texts.length} texts, ${bad} mismatches`);
process.exit(bad ? 1 : 0);
"""
        r = subprocess.run(["node", "-e", js, os.path.abspath(model_dir), data], cwd=REPO,
                           env={**os.environ, "HOME": tmp}, capture_output=True, text=True)
        print(r.stdout.strip(), r.stderr.strip())
        if r.returncode != 0:
            raise SystemExit("tokenizer.json in %s does not encode like the Python encoder" % model_dir)


if __name__ == "__main__":
    main()

"""Plain-torch BertForSequenceClassification and RobertaForSequenceClassification with Hugging Face's
exact module tree and parameter names (bert.embeddings.word_embeddings, ...,
bert.encoder.layer.N.attention.self.query, bert.pooler.dense, classifier; roberta.* with
classifier.dense / classifier.out_proj), following modeling_bert.py / modeling_roberta.py of
transformers 4.x (no `transformers` package exists on this machine). Post-LN blocks, exact-erf GELU,
padded keys masked with the dtype's minimum added to the scores, as HF does.
"""
import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch
from torch import nn


@dataclass
class BertConfig:
    model_type: str = "bert"  # or "roberta"
    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    initializer_range: float = 0.02
    id2label: Dict[int, str] = field(default_factory=lambda: {0: "NEGATIVE", 1: "POSITIVE"})
    problem_type: Optional[str] = None

    @property
    def num_labels(self) -> int:
        return len(self.id2label)

    @property
    def roberta(self) -> bool:
        return self.model_type == "roberta"

    @property
    def max_tokens(self) -> int:
        """The longest input: RoBERTa's positions start at pad_token_id + 1, so two positions are unusable."""
        return self.max_position_embeddings - (self.pad_token_id + 1 if self.roberta else 0)

    def to_hf_json(self) -> dict:
        d = {
            "architectures": ["RobertaForSequenceClassification" if self.roberta else "BertForSequenceClassification"],
            "model_type": self.model_type,
            "attention_probs_dropout_prob": self.attention_probs_dropout_prob,
            "classifier_dropout": None,
            "hidden_act": "gelu",
            "hidden_dropout_prob": self.hidden_dropout_prob,
            "hidden_size": self.hidden_size,
            "id2label": {str(k): v for k, v in self.id2label.items()},
            "label2id": {v: int(k) for k, v in self.id2label.items()},
            "initializer_range": self.initializer_range,
            "intermediate_size": self.intermediate_size,
            "layer_norm_eps": self.layer_norm_eps,
            "max_position_embeddings": self.max_position_embeddings,
            "num_attention_heads": self.num_attention_heads,
            "num_hidden_layers": self.num_hidden_layers,
            "pad_token_id": self.pad_token_id,
            "position_embedding_type": "absolute",
            "torch_dtype": "float32",
            "type_vocab_size": self.type_vocab_size,
            "use_cache": True,
            "vocab_size": self.vocab_size,
        }
        if self.roberta:
            d.update({"bos_token_id": 0, "eos_token_id": 2})
        if self.problem_type:
            d["problem_type"] = self.problem_type
        return d


class Embeddings(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.c = c
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size,
                                                padding_idx=c.pad_token_id if c.roberta else None)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids):
        if self.c.roberta:
            # create_position_ids_from_input_ids: padding keeps padding_idx, tokens count from padding_idx + 1.
            mask = input_ids.ne(self.c.pad_token_id).int()
            position_ids = (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + self.c.pad_token_id
        else:
            position_ids = torch.arange(input_ids.size(1), dtype=torch.long).unsqueeze(0).expand_as(input_ids)
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.n = c.num_attention_heads
        self.d = c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def forward(self, x, additive_mask):
        bs, seq, _ = x.size()

        def heads(t):
            return t.view(bs, seq, self.n, self.d).permute(0, 2, 1, 3)

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + additive_mask
        probs = self.dropout(nn.functional.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(bs, seq, self.n * self.d)


class SelfOutput(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h, x):
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class Attention(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        setattr(self, "self", SelfAttention(c))  # HF's attribute is literally named "self"
        self.output = SelfOutput(c)

    def forward(self, x, additive_mask):
        return self.output(getattr(self, "self")(x, additive_mask), x)


class Intermediate(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.intermediate_act_fn = nn.GELU()

    def forward(self, x):
        return self.intermediate_act_fn(self.dense(x))


class Output(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h, x):
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class Layer(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Output(c)

    def forward(self, x, additive_mask):
        a = self.attention(x, additive_mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, x, additive_mask) -> List[torch.Tensor]:
        states = []
        for layer in self.layer:
            x = layer(x, additive_mask)
            states.append(x)
        return states


class Pooler(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.activation = nn.Tanh()


class BertModel(nn.Module):
    def __init__(self, c: BertConfig, add_pooling_layer: bool):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        if add_pooling_layer:
            self.pooler = Pooler(c)

    def forward(self, input_ids, attention_mask, token_type_ids) -> List[torch.Tensor]:
        ext = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(input_ids, token_type_ids), ext)


class RobertaClassificationHead(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.out_proj = nn.Linear(c.hidden_size, c.num_labels)


class ForSequenceClassification(nn.Module):
    """BertForSequenceClassification (config.model_type "bert") or RobertaForSequenceClassification ("roberta")."""

    def __init__(self, c: BertConfig):
        super().__init__()
        self.config = c
        if c.roberta:
            self.roberta = BertModel(c, add_pooling_layer=False)
            self.classifier = RobertaClassificationHead(c)
        else:
            self.bert = BertModel(c, add_pooling_layer=True)
            self.dropout = nn.Dropout(c.hidden_dropout_prob)
            self.classifier = nn.Linear(c.hidden_size, c.num_labels)

    @property
    def base(self) -> BertModel:
        return self.roberta if self.config.roberta else self.bert

    @property
    def dense(self) -> nn.Linear:
        """The Linear before the tanh: bert.pooler.dense or classifier.dense."""
        return self.classifier.dense if self.config.roberta else self.bert.pooler.dense

    @property
    def out(self) -> nn.Linear:
        return self.classifier.out_proj if self.config.roberta else self.classifier

    def forward_with_taps(self, input_ids, attention_mask=None, token_type_ids=None) -> Dict[str, torch.Tensor]:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        states = self.base(input_ids, attention_mask, token_type_ids)
        cls = states[-1][:, 0]
        pre = self.dense(cls)
        act = torch.tanh(pre)
        logits = self.out(act)  # dropout: identity at inference
        return {"logits": logits, "cls": cls, "preClassifier": pre, "relu": act,
                "layers": torch.stack([s[:, 0] for s in states], dim=1), "lastHidden": states[-1]}

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        return self.forward_with_taps(input_ids, attention_mask, token_type_ids)["logits"]


def randomize(model: ForSequenceClassification, seed: int):
    """Seeded weights with O(1) signal at every stage (HF's std-0.02 init gives near-zero logits)."""
    g = torch.Generator().manual_seed(seed)
    h = model.config.hidden_size
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            elif "embeddings" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / h ** 0.5)
        model.base.embeddings.word_embeddings.weight[model.config.pad_token_id].zero_()
        if model.config.roberta:
            model.base.embeddings.position_embeddings.weight[model.config.pad_token_id].zero_()
        # The dense layer before tanh scaled up so tanh works in its non-linear range; a bigger classifier.
        model.dense.weight.mul_(2.0)
        model.dense.bias.mul_(4.0)
        model.out.weight.mul_(1.5)


def export_onnx(model: ForSequenceClassification, path: str, opset: int, seq_len: int = 8):
    """torch.onnx.export with optimum's names: BERT takes token_type_ids too, RoBERTa does not."""
    model.eval()
    c = model.config
    low = 5 if not c.roberta else 4
    ids = torch.randint(low, c.vocab_size, (2, seq_len), generator=torch.Generator().manual_seed(0))
    mask = torch.ones_like(ids)
    mask[1, seq_len - 2:] = 0
    ids[1, seq_len - 2:] = c.pad_token_id
    dyn = {0: "batch_size", 1: "sequence_length"}
    if c.roberta:
        args, names = (ids, mask), ["input_ids", "attention_mask"]
    else:
        args, names = (ids, mask, torch.zeros_like(ids)), ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(model, args, path, input_names=names, output_names=["logits"],
                      dynamic_axes={**{n: dyn for n in names}, "logits": {0: "batch_size"}},
                      opset_version=opset, do_constant_folding=True)

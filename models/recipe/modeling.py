"""Plain-torch DistilBertForSequenceClassification with Hugging Face's exact module tree.

Parameter names match transformers' DistilBERT (distilbert.embeddings.word_embeddings, ...,
pre_classifier, classifier) so that a state_dict is interchangeable with a hub checkpoint and
the ONNX export carries the same initializer names (pre_classifier.weight, classifier.bias)
the inspector's graph taps rely on. No `transformers` package exists on this machine, so the
arithmetic is re-written here following modeling_distilbert.py (transformers 4.x).
"""
import math
from dataclasses import dataclass, field, asdict
from typing import Dict, List, Optional

import torch
from torch import nn


@dataclass
class DistilBertConfig:
    vocab_size: int = 30522
    max_position_embeddings: int = 512
    dim: int = 768
    n_layers: int = 6
    n_heads: int = 12
    hidden_dim: int = 3072
    dropout: float = 0.1
    attention_dropout: float = 0.1
    seq_classif_dropout: float = 0.2
    activation: str = "gelu"
    initializer_range: float = 0.02
    pad_token_id: int = 0
    id2label: Dict[int, str] = field(default_factory=lambda: {0: "NEGATIVE", 1: "POSITIVE"})
    problem_type: Optional[str] = None  # None/"single_label_classification" or "multi_label_classification"

    @property
    def num_labels(self) -> int:
        return len(self.id2label)

    def to_hf_json(self) -> dict:
        """config.json in the layout transformers writes for DistilBERT classifiers."""
        d = {
            "architectures": ["DistilBertForSequenceClassification"],
            "model_type": "distilbert",
            "activation": self.activation,
            "attention_dropout": self.attention_dropout,
            "dim": self.dim,
            "dropout": self.dropout,
            "hidden_dim": self.hidden_dim,
            "id2label": {str(k): v for k, v in self.id2label.items()},
            "label2id": {v: int(k) for k, v in self.id2label.items()},
            "initializer_range": self.initializer_range,
            "max_position_embeddings": self.max_position_embeddings,
            "n_heads": self.n_heads,
            "n_layers": self.n_layers,
            "pad_token_id": self.pad_token_id,
            "qa_dropout": 0.1,
            "seq_classif_dropout": self.seq_classif_dropout,
            "sinusoidal_pos_embds": False,
            "tie_weights_": True,
            "torch_dtype": "float32",
            "vocab_size": self.vocab_size,
        }
        if self.problem_type:
            d["problem_type"] = self.problem_type
        return d


class Embeddings(nn.Module):
    def __init__(self, c: DistilBertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.dim, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.dim)
        self.LayerNorm = nn.LayerNorm(c.dim, eps=1e-12)
        self.dropout = nn.Dropout(c.dropout)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        seq_length = input_ids.size(1)
        position_ids = torch.arange(seq_length, dtype=torch.long, device=input_ids.device)
        position_ids = position_ids.unsqueeze(0).expand_as(input_ids)
        x = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(x))


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, c: DistilBertConfig):
        super().__init__()
        assert c.dim % c.n_heads == 0, "dim must be a multiple of n_heads"
        self.n_heads = c.n_heads
        self.dim = c.dim
        self.dropout = nn.Dropout(p=c.attention_dropout)
        self.q_lin = nn.Linear(c.dim, c.dim)
        self.k_lin = nn.Linear(c.dim, c.dim)
        self.v_lin = nn.Linear(c.dim, c.dim)
        self.out_lin = nn.Linear(c.dim, c.dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        bs, q_length, dim = x.size()
        k_length = x.size(1)
        dph = self.dim // self.n_heads

        def shape(t):
            return t.view(bs, -1, self.n_heads, dph).transpose(1, 2)

        def unshape(t):
            return t.transpose(1, 2).contiguous().view(bs, -1, self.n_heads * dph)

        q = shape(self.q_lin(x)) / math.sqrt(dph)
        k = shape(self.k_lin(x))
        v = shape(self.v_lin(x))
        scores = torch.matmul(q, k.transpose(2, 3))  # (bs, heads, q, k)
        # Same as HF: padded keys get the dtype's minimum before softmax, so they weigh exactly 0.
        neg = (mask == 0).view(bs, 1, 1, k_length).expand_as(scores)
        scores = scores.masked_fill(neg, torch.tensor(torch.finfo(scores.dtype).min))
        weights = self.dropout(nn.functional.softmax(scores, dim=-1))
        return self.out_lin(unshape(torch.matmul(weights, v)))


class FFN(nn.Module):
    def __init__(self, c: DistilBertConfig):
        super().__init__()
        self.dropout = nn.Dropout(p=c.dropout)
        self.lin1 = nn.Linear(c.dim, c.hidden_dim)
        self.lin2 = nn.Linear(c.hidden_dim, c.dim)
        assert c.activation == "gelu", "only gelu (exact erf form, as HF) is implemented"
        self.activation = nn.GELU()

    def forward(self, x):
        return self.dropout(self.lin2(self.activation(self.lin1(x))))


class TransformerBlock(nn.Module):
    def __init__(self, c: DistilBertConfig):
        super().__init__()
        self.attention = MultiHeadSelfAttention(c)
        self.sa_layer_norm = nn.LayerNorm(c.dim, eps=1e-12)
        self.ffn = FFN(c)
        self.output_layer_norm = nn.LayerNorm(c.dim, eps=1e-12)

    def forward(self, x, mask):
        sa = self.sa_layer_norm(self.attention(x, mask) + x)
        return self.output_layer_norm(self.ffn(sa) + sa)


class Transformer(nn.Module):
    def __init__(self, c: DistilBertConfig):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(c) for _ in range(c.n_layers)])

    def forward(self, x, mask) -> List[torch.Tensor]:
        states = []
        for block in self.layer:
            x = block(x, mask)
            states.append(x)
        return states


class DistilBertModel(nn.Module):
    def __init__(self, c: DistilBertConfig):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.transformer = Transformer(c)

    def forward(self, input_ids, attention_mask=None) -> List[torch.Tensor]:
        """Returns the hidden state after each block (the last one is HF's last_hidden_state)."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return self.transformer(self.embeddings(input_ids), attention_mask)


class DistilBertForSequenceClassification(nn.Module):
    def __init__(self, c: DistilBertConfig, head_as_matmul: bool = False):
        super().__init__()
        self.config = c
        self.distilbert = DistilBertModel(c)
        self.pre_classifier = nn.Linear(c.dim, c.dim)
        self.classifier = nn.Linear(c.dim, c.num_labels)
        self.dropout = nn.Dropout(c.seq_classif_dropout)
        # Export-time switch: compute pre_classifier as x @ W.T + b so torch exports MatMul+Add
        # instead of Gemm, as other exporters do. Same parameters, same values up to rounding.
        self.head_as_matmul = head_as_matmul
        self.apply(self._init_weights)

    def _init_weights(self, m):
        r = self.config.initializer_range
        if isinstance(m, nn.Linear):
            m.weight.data.normal_(0.0, r)
            m.bias.data.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.data.normal_(0.0, r)
            if m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            m.weight.data.fill_(1.0)
            m.bias.data.zero_()

    def forward_with_taps(self, input_ids, attention_mask=None) -> Dict[str, torch.Tensor]:
        """Logits plus every stage the inspector shows, for reference values."""
        states = self.distilbert(input_ids, attention_mask)
        cls = states[-1][:, 0]                            # (bs, dim)
        if self.head_as_matmul:
            # x @ W.T + b exports as MatMul + Add (a 3-D slice + squeeze would add an If node at
            # opset 14). Constant folding renames the transposed weight; the bias keeps its name.
            pre = torch.matmul(cls, self.pre_classifier.weight.t()) + self.pre_classifier.bias
        else:
            pre = self.pre_classifier(cls)                # Gemm in ONNX
        relu = nn.ReLU()(pre)                             # HF applies ReLU inline (no module)
        logits = self.classifier(self.dropout(relu))
        return {
            "logits": logits,
            "cls": cls,
            "preClassifier": pre,
            "relu": relu,
            "layers": torch.stack([s[:, 0] for s in states], dim=1),  # (bs, n_layers, dim)
            "lastHidden": states[-1],
        }

    def forward(self, input_ids, attention_mask=None):
        return self.forward_with_taps(input_ids, attention_mask)["logits"]


def export_onnx(model: DistilBertForSequenceClassification, path: str, opset: int, seq_len: int = 8):
    """torch.onnx.export with the HF/optimum input and output names and dynamic axes."""
    model.eval()
    ids = torch.randint(5, model.config.vocab_size, (2, seq_len), generator=torch.Generator().manual_seed(0))
    mask = torch.ones_like(ids)
    mask[1, seq_len - 2:] = 0
    torch.onnx.export(
        model, (ids, mask), path,
        input_names=["input_ids", "attention_mask"], output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                      "attention_mask": {0: "batch_size", 1: "sequence_length"},
                      "logits": {0: "batch_size"}},
        opset_version=opset, do_constant_folding=True,
    )

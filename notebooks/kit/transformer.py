"""The transformer the part-4 notebooks share: pre-norm blocks of multi-head attention and a
feed-forward layer, as a decoder-only language model (GPT), a bidirectional encoder (BERT) or an
encoder-decoder (the 2017 Transformer, T5).

Attention runs through F.scaled_dot_product_attention (the fused kernel where there is one).
Each notebook still writes out the mechanism its paper introduced and checks it against this
code; what is here is the plumbing they share, so their runs differ only where the papers do.
Shapes: tokens (batch, time) of ids; `keep` masks are bool (batch, time), True on real tokens.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal_positions(length: int, dim: int) -> torch.Tensor:
    """(length, dim) table of Vaswani et al. (2017), section 3.5: sin on even, cos on odd dims."""
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    rate = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(pos * rate)
    table[:, 1::2] = torch.cos(pos * rate[: dim // 2])
    return table


def attention_mask(q_len, k_len, keep=None, causal=False, device=None):
    """Bool mask (batch or 1, 1, q_len, k_len), True where a query may attend; None if all may."""
    mask = None
    if causal:
        mask = torch.ones(q_len, k_len, dtype=torch.bool, device=device).tril(k_len - q_len)[None, None]
    if keep is not None:
        pad = keep[:, None, None, :].bool()
        mask = pad if mask is None else mask & pad
    return mask


class Attention(nn.Module):
    """Multi-head attention: project, split into heads, attend, merge, project."""

    def __init__(self, dim: int, heads: int, dropout: float = 0.0, cross: bool = False):
        super().__init__()
        assert dim % heads == 0, f"dim {dim} is not divisible by heads {heads}"
        self.heads, self.dropout, self.cross = heads, dropout, cross
        if cross:  # queries from the decoder, keys and values from the encoder's output
            self.q, self.kv = nn.Linear(dim, dim), nn.Linear(dim, 2 * dim)
        else:
            self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def split(self, x):
        b, t, d = x.shape
        return x.view(b, t, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x, memory=None, mask=None):
        if self.cross:
            q, (k, v) = self.q(x), self.kv(memory).chunk(2, dim=-1)
        else:
            q, k, v = self.qkv(x).chunk(3, dim=-1)
        out = F.scaled_dot_product_attention(self.split(q), self.split(k), self.split(v),
                                             attn_mask=mask,
                                             dropout_p=self.dropout if self.training else 0.0)
        b, h, t, dh = out.shape
        return self.proj(out.transpose(1, 2).reshape(b, t, h * dh))


class FeedForward(nn.Module):
    """Position-wise two-layer MLP with GELU (GPT, BERT, T5 v1.1 use it or a close relative)."""

    def __init__(self, dim: int, hidden: int, dropout: float = 0.0):
        super().__init__()
        self.up, self.down, self.drop = nn.Linear(dim, hidden), nn.Linear(hidden, dim), nn.Dropout(dropout)

    def forward(self, x):
        return self.drop(self.down(F.gelu(self.up(x))))


class Block(nn.Module):
    """Pre-norm block: x + attn(norm(x)) [+ cross-attn(norm(x), memory)] + ffn(norm(x)).

    `ffn` replaces the feed-forward layer (a mixture-of-experts layer, say); it takes and returns
    (batch, time, dim).
    """

    def __init__(self, dim, heads, hidden=None, dropout=0.0, cross=False, ffn=None):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim), Attention(dim, heads, dropout)
        self.norm_x = nn.LayerNorm(dim) if cross else None
        self.cross = Attention(dim, heads, dropout, cross=True) if cross else None
        self.norm2 = nn.LayerNorm(dim)
        self.ffn = ffn if ffn is not None else FeedForward(dim, hidden or 4 * dim, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask=None, memory=None, memory_mask=None):
        x = x + self.drop(self.attn(self.norm1(x), mask=mask))
        if self.cross is not None:
            x = x + self.drop(self.cross(self.norm_x(x), memory, mask=memory_mask))
        return x + self.ffn(self.norm2(x))


class Embedding(nn.Module):
    """Token embeddings plus learned ("learned") or fixed ("sinusoidal") positions."""

    def __init__(self, vocab, dim, max_len, positions="learned", dropout=0.0):
        super().__init__()
        self.tokens, self.dim, self.drop = nn.Embedding(vocab, dim), dim, nn.Dropout(dropout)
        if positions == "learned":
            self.pos = nn.Embedding(max_len, dim)
        elif positions == "sinusoidal":
            self.register_buffer("table", sinusoidal_positions(max_len, dim), persistent=False)
            self.pos = None
        else:
            raise ValueError(f"positions {positions!r} is not 'learned' or 'sinusoidal'")

    def forward(self, idx):
        t = idx.shape[1]
        pos = self.pos.weight[:t] if self.pos is not None else self.table[:t]
        scale = math.sqrt(self.dim) if self.pos is None else 1.0  # Vaswani et al. scale by sqrt(d)
        return self.drop(self.tokens(idx) * scale + pos)


def _init(module):
    # GPT-2's initialisation: N(0, 0.02) weights, zero biases.
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)


class TransformerLM(nn.Module):
    """A stack of blocks over embeddings with a tied output layer.

    causal=True: a decoder-only language model (GPT): position t sees positions <= t.
    causal=False: a bidirectional encoder (BERT): every position sees every real token.
    ffn_factory(dim) -> module builds each block's feed-forward layer (default: FeedForward).
    """

    def __init__(self, vocab, dim=128, layers=4, heads=4, max_len=256, causal=True, dropout=0.0,
                 positions="learned", hidden=None, ffn_factory=None):
        super().__init__()
        self.config = dict(vocab=vocab, dim=dim, layers=layers, heads=heads, max_len=max_len,
                           causal=causal, dropout=dropout, positions=positions, hidden=hidden)
        self.causal, self.max_len = causal, max_len
        self.embed = Embedding(vocab, dim, max_len, positions, dropout)
        self.blocks = nn.ModuleList(
            Block(dim, heads, hidden, dropout, ffn=ffn_factory(dim) if ffn_factory else None)
            for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.apply(_init)
        self.head.weight = self.embed.tokens.weight  # tied input and output embeddings

    def hidden(self, idx, keep=None):
        """(batch, time, dim) final hidden states."""
        if idx.shape[1] > self.max_len:
            raise ValueError(f"sequence of {idx.shape[1]} tokens is longer than max_len {self.max_len}")
        mask = attention_mask(idx.shape[1], idx.shape[1], keep, self.causal, idx.device)
        x = self.embed(idx)
        for block in self.blocks:
            x = block(x, mask=mask)
        return self.norm(x)

    def forward(self, idx, keep=None):
        """(batch, time, vocab) logits."""
        return self.head(self.hidden(idx, keep))


class EncoderDecoder(nn.Module):
    """Encoder (bidirectional) and decoder (causal, cross-attending) sharing one embedding
    table and a tied output layer: the 2017 Transformer's shape, and T5's."""

    def __init__(self, vocab, dim=128, layers=3, heads=4, max_len=256, dropout=0.0,
                 positions="learned", hidden=None, decoder_layers=None):
        super().__init__()
        self.config = dict(vocab=vocab, dim=dim, layers=layers, heads=heads, max_len=max_len,
                           dropout=dropout, positions=positions, hidden=hidden,
                           decoder_layers=decoder_layers)
        self.max_len = max_len
        self.embed = Embedding(vocab, dim, max_len, positions, dropout)
        self.encoder = nn.ModuleList(Block(dim, heads, hidden, dropout) for _ in range(layers))
        self.decoder = nn.ModuleList(Block(dim, heads, hidden, dropout, cross=True)
                                     for _ in range(decoder_layers or layers))
        self.enc_norm, self.dec_norm = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.apply(_init)
        self.head.weight = self.embed.tokens.weight

    def encode(self, src, src_keep=None):
        x = self.embed(src)
        mask = attention_mask(src.shape[1], src.shape[1], src_keep, False, src.device)
        for block in self.encoder:
            x = block(x, mask=mask)
        return self.enc_norm(x)

    def decode(self, tgt_in, memory, src_keep=None, tgt_keep=None):
        x = self.embed(tgt_in)
        mask = attention_mask(tgt_in.shape[1], tgt_in.shape[1], tgt_keep, True, tgt_in.device)
        memory_mask = attention_mask(tgt_in.shape[1], memory.shape[1], src_keep, False, tgt_in.device)
        for block in self.decoder:
            x = block(x, mask=mask, memory=memory, memory_mask=memory_mask)
        return self.head(self.dec_norm(x))

    def forward(self, src, tgt_in, src_keep=None, tgt_keep=None):
        """(batch, target time, vocab) logits for the next target token at each position."""
        return self.decode(tgt_in, self.encode(src, src_keep), src_keep, tgt_keep)

    @torch.no_grad()
    def greedy(self, src, src_keep, bos: int, eos: int, max_len: int = 50):
        """Greedy decoding: (batch, <= max_len) ids after bos, stopping when all emitted eos."""
        memory = self.encode(src, src_keep)
        out = torch.full((src.shape[0], 1), bos, dtype=torch.long, device=src.device)
        done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
        for _ in range(max_len):
            nxt = self.decode(out, memory, src_keep)[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, eos), nxt)
            out = torch.cat([out, nxt[:, None]], 1)
            done |= nxt == eos
            if done.all():
                break
        return out[:, 1:]


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Parameters (each tensor once, so tied embeddings count once)."""
    seen, total = set(), 0
    for p in model.parameters():
        if id(p) not in seen and (p.requires_grad or not trainable_only):
            seen.add(id(p))
            total += p.numel()
    return total

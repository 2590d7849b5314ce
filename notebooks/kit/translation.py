"""Plumbing for the translation notebooks (encoder-decoder, seq2seq, attention, and later the
Transformer): German–English pairs as padded id tensors, batches, and BLEU from sacrebleu.
The models, and how they decode, stay in the notebooks.
"""
import sacrebleu
import torch

from kit import text

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIALS = (PAD, UNK, BOS, EOS)


class Corpus:
    """Tokenised pairs of one split with the vocabularies built on the training split.

    corpus = Corpus.load(kind="sentence", max_len=20, min_count=2)
    corpus.src["train"], corpus.tgt["train"]: lists of id lists (targets framed by BOS/EOS)
    corpus.pairs["test"]: the raw (German, English) strings, for BLEU against references
    """

    def __init__(self, pairs: dict, min_count: int = 1):
        self.pairs = pairs
        train = pairs["train"]
        self.src_vocab = text.Vocab([t for de, _ in train for t in text.tokenize(de)],
                                    min_count=min_count, specials=SPECIALS)
        self.tgt_vocab = text.Vocab([t for _, en in train for t in text.tokenize(en)],
                                    min_count=min_count, specials=SPECIALS)
        self.src = {s: [self.encode_src(de) for de, _ in p] for s, p in pairs.items()}
        self.tgt = {s: [self.encode_tgt(en) for _, en in p] for s, p in pairs.items()}

    @classmethod
    def load(cls, kind: str = "sentence", max_len: int = None, min_count: int = 1,
             limit: int = None) -> "Corpus":
        """The German–English pairs of kit.text, at most max_len tokens a side, the first
        `limit` of each split (for smoke runs)."""
        pairs = {}
        for split in ("train", "val", "test"):
            chosen = [(de, en) for de, en in text.german_english(split, kind)
                      if max_len is None or max(len(text.tokenize(de)), len(text.tokenize(en))) <= max_len]
            pairs[split] = chosen[:limit] if limit else chosen
        return cls(pairs, min_count=min_count)

    def encode_src(self, sentence: str) -> list:
        return self.src_vocab.encode(text.tokenize(sentence)) + [self.src_vocab.stoi[EOS]]

    def encode_tgt(self, sentence: str) -> list:
        v = self.tgt_vocab
        return [v.stoi[BOS]] + v.encode(text.tokenize(sentence)) + [v.stoi[EOS]]

    def decode_tgt(self, ids) -> str:
        """Ids to a detokenised English string, stopping at EOS, skipping PAD and BOS."""
        words = []
        for token in self.tgt_vocab.decode(ids):
            if token == EOS:
                break
            if token not in (PAD, BOS):
                words.append(token)
        return detokenize(words)


def detokenize(tokens: list) -> str:
    """Join tokens with spaces, without a space before punctuation ("home ." -> "home.")."""
    out = ""
    for t in tokens:
        word = t[0].isalnum() or t[0] in "\"(" or t in SPECIALS  # "<unk>" stands as a word
        out += " " + t if out and word else t
    return out


def pad(seqs: list, value: int = 0) -> torch.Tensor:
    """A (batch, longest) LongTensor, right-padded with `value` (PAD's id is 0)."""
    out = torch.full((len(seqs), max(len(s) for s in seqs)), value, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return out


def batches(src: list, tgt: list, size: int, generator: torch.Generator = None):
    """Padded (source, target) batches; shuffled when a generator is given. Pairs of similar
    source length go together, which wastes less compute on padding."""
    order = torch.randperm(len(src), generator=generator).tolist() if generator else list(range(len(src)))
    chunks = [order[i: i + size * 20] for i in range(0, len(order), size * 20)]
    for chunk in chunks:
        chunk.sort(key=lambda i: len(src[i]))
        groups = [chunk[i: i + size] for i in range(0, len(chunk), size)]
        if generator is not None:
            groups = [groups[j] for j in torch.randperm(len(groups), generator=generator).tolist()]
        for g in groups:
            yield pad([src[i] for i in g]), pad([tgt[i] for i in g])


def bleu(hypotheses: list, references: list) -> float:
    """Corpus BLEU (sacrebleu's defaults: 13a tokenisation, case-sensitive) on detokenised
    strings. Our models write lower case, so references are lower-cased to match."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    return sacrebleu.corpus_bleu(hypotheses, [[r.lower() for r in references]]).score

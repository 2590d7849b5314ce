"""Byte-level BPE tokenizers from the `tokenizers` library (Hugging Face), trained here on our
own text and cached by a hash of that text and the settings.

The gpt-2 notebook writes the algorithm out and checks it against this library; the other
notebooks use the library. Special tokens take the first ids, in the order of SPECIALS.
"""
import torch

from . import cache

SPECIALS = ("<pad>", "<unk>", "<bos>", "<eos>", "<mask>", "<sep>", "<cls>")


def bpe(texts, vocab_size: int, name: str = "bpe", min_frequency: int = 2):
    """A byte-level BPE tokenizer with vocab_size entries (256 bytes + specials + merges)
    trained on texts (a list of strings)."""
    import tokenizers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    texts = list(texts)
    if vocab_size < 256 + len(SPECIALS):
        raise ValueError(f"vocab_size {vocab_size} leaves no room for the 256 bytes and {len(SPECIALS)} specials")
    key = cache.fingerprint(tokenizers.__version__, vocab_size, min_frequency, SPECIALS,
                            "\0".join(texts).encode("utf-8"))
    path = cache.cache_dir("tokenizers") / f"{name}-{key}.json"
    if path.is_file():
        return Tokenizer.from_file(str(path))
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=list(SPECIALS), show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    cache.write_atomic(path, lambda p: tok.save(str(p)))
    return tok


def special(tok, token: str) -> int:
    """The id of a special token such as "<pad>"."""
    i = tok.token_to_id(token)
    if i is None:
        raise KeyError(f"{token!r} is not in the tokenizer")
    return i


def encode(tok, text: str) -> torch.Tensor:
    """1-D LongTensor of the ids of text."""
    return torch.tensor(tok.encode(text).ids, dtype=torch.long)


def encode_batch(tok, texts) -> list:
    """A list of id lists, one per text (the library encodes them in parallel)."""
    return [e.ids for e in tok.encode_batch(list(texts))]


def decode(tok, ids) -> str:
    return tok.decode([int(i) for i in ids], skip_special_tokens=True)

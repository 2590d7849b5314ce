"""The shared pre-trained models of the transformer notebooks, made once and cached.

`tokenizer()`: byte-level BPE (2,048 entries) trained on the Shakespeare train split and the
review sentences' train split. `gpt()`: a small decoder-only language model trained on the
Shakespeare train split with that tokenizer: the model gpt-2 trains and lora and rlhf start
from. Its size and training length follow the scale (kit.run.pick). Whichever notebook asks
first trains it; later ones load it from kit.cache, keyed by this code and the settings.
"""
import inspect
from functools import lru_cache

import torch

from . import cache, lm, run, text, tokens, transformer

VOCAB = 2048

GPT = {
    "smoke": dict(dim=32, layers=1, heads=2, block=32, batch=8, steps=30, lr=3e-3),
    "cpu": dict(dim=128, layers=4, heads=4, block=64, batch=32, steps=800, lr=3e-3),
    "gpu": dict(dim=256, layers=6, heads=8, block=256, batch=64, steps=4000, lr=2e-3),
}


@lru_cache(maxsize=1)
def tokenizer():
    texts = [text.shakespeare("train")] + [s for s, _ in text.reviews("train")]
    return tokens.bpe(texts, VOCAB, name="shakespeare-reviews")


@lru_cache(maxsize=3)
def shakespeare_ids(split: str) -> torch.Tensor:
    """The Shakespeare split as one stream of token ids (paragraphs joined by blank lines)."""
    return tokens.encode(tokenizer(), text.shakespeare(split))


def gpt_config(scale: str = None) -> dict:
    return dict(GPT[scale or run.scale()])


def make_gpt(config: dict):
    """A TransformerLM of `config` (causal, vocabulary VOCAB), untrained."""
    return transformer.TransformerLM(VOCAB, dim=config["dim"], layers=config["layers"],
                                     heads=config["heads"], max_len=config["block"], causal=True)


def _train_gpt(config: dict, seed: int) -> dict:
    run.seed_everything(seed)
    model = make_gpt(config).to(run.device())
    hist = lm.train_lm(model, shakespeare_ids("train"), steps=config["steps"], block=config["block"],
                       batch=config["batch"], lr=config["lr"], seed=seed,
                       val_ids=shakespeare_ids("val"), log_every=max(1, config["steps"] // 5))
    return {"state": {k: v.detach().cpu() for k, v in model.state_dict().items()},
            "val_loss": hist["eval"][-1], "seconds": hist["seconds"], "config": config,
            "loss": hist["loss"]}


def gpt(seed: int = 0, scale: str = None):
    """(model on kit.run.device(), in eval mode; info: config, val_loss, seconds, loss curve)."""
    config = gpt_config(scale)
    key = (config, seed, VOCAB, inspect.getsource(_train_gpt), transformer, lm,
           tokenizer().to_str())
    entry = cache.cached(f"gpt-{scale or run.scale()}-seed{seed}", key, lambda: _train_gpt(config, seed))
    model = make_gpt(config)
    model.load_state_dict(entry["state"])
    info = {k: v for k, v in entry.items() if k != "state"}
    return model.to(run.device()).eval(), info

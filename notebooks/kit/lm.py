"""Training and sampling for the language-model notebooks: random windows of a token stream,
AdamW with warm-up and cosine decay, held-out loss, sampling.

`train` is the generic loop (a batch function and a loss function in, a history out), used for
masked and span-corruption objectives too; `train_lm` wraps it for next-token prediction.
Losses are in nats per token; bits = nats / ln 2; perplexity = exp(nats).
"""
import math
import time

import torch
import torch.nn.functional as F


def windows(ids: torch.Tensor, block: int, batch: int, gen: torch.Generator):
    """(inputs, next-token targets), each (batch, block), from random offsets into a 1-D stream."""
    if len(ids) <= block + 1:
        raise ValueError(f"a stream of {len(ids)} tokens is too short for windows of {block}")
    start = torch.randint(0, len(ids) - block - 1, (batch,), generator=gen)
    rows = start[:, None] + torch.arange(block + 1)
    chunk = ids[rows]
    return chunk[:, :-1], chunk[:, 1:]


def lm_loss(model, x, y):
    """Mean next-token cross-entropy (nats) of model on (x, y)."""
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def lr_at(step: int, steps: int, lr: float, warmup: int) -> float:
    """Linear warm-up for `warmup` steps, then cosine decay to a tenth of lr."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def train(model, next_batch, loss_fn, *, steps, lr=3e-3, warmup=None, weight_decay=0.1, clip=1.0,
          params=None, evaluate=None, eval_every=None, log_every=None):
    """Train for `steps` steps; return {"step", "loss", "eval_step", "eval", "seconds"}.

    next_batch(step) -> tuple of tensors; loss_fn(model, *batch) -> scalar loss.
    params: what to optimise (default: every parameter that requires grad).
    evaluate() -> float is called every `eval_every` steps and at the end.
    Weight decay applies to matrices only (not biases, norms), as in GPT-2's recipe.
    A non-finite loss stops training with the step named.
    """
    params = [p for p in (params if params is not None else model.parameters()) if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    rest = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": rest, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    warmup = max(1, steps // 20) if warmup is None else warmup
    hist = {"step": [], "loss": [], "eval_step": [], "eval": [], "seconds": 0.0}
    start = time.perf_counter()
    model.train()
    for step in range(steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, steps, lr, warmup)
        loss = loss_fn(model, *next_batch(step))
        if not torch.isfinite(loss):
            raise FloatingPointError(f"loss became {loss.item()} at step {step}")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        hist["step"].append(step)
        hist["loss"].append(loss.item())
        last = step == steps - 1
        if evaluate is not None and ((eval_every and (step + 1) % eval_every == 0) or last):
            model.eval()
            hist["eval_step"].append(step + 1)
            hist["eval"].append(float(evaluate()))
            model.train()
        if log_every and ((step + 1) % log_every == 0 or last):
            print(f"step {step + 1:>6}/{steps}  loss {loss.item():.3f}"
                  + (f"  eval {hist['eval'][-1]:.3f}" if hist["eval"] and hist["eval_step"][-1] == step + 1 else ""))
    model.eval()
    hist["seconds"] = time.perf_counter() - start
    return hist


@torch.no_grad()
def evaluate_lm(model, ids: torch.Tensor, block: int, batch: int = 32, batches: int = 8, seed: int = 0):
    """Mean next-token loss (nats) over `batches` batches of fixed random windows of ids."""
    was = model.training
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    total = 0.0
    for _ in range(batches):
        x, y = windows(ids, block, batch, gen)
        total += lm_loss(model, x.to(device), y.to(device)).item()
    model.train(was)
    return total / batches


def train_lm(model, train_ids, *, steps, block, batch=32, lr=3e-3, seed=0, val_ids=None,
             eval_every=None, eval_batches=8, **kw):
    """Next-token training on random windows of a token stream; see `train` for the rest."""
    gen = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device

    def next_batch(step):
        x, y = windows(train_ids, block, batch, gen)
        return x.to(device), y.to(device)

    evaluate = None
    if val_ids is not None:
        def evaluate():
            return evaluate_lm(model, val_ids, block, batch, eval_batches)
    return train(model, next_batch, lm_loss, steps=steps, lr=lr, evaluate=evaluate,
                 eval_every=eval_every, **kw)


@torch.no_grad()
def generate(model, prompt: torch.Tensor, new_tokens: int, temperature: float = 1.0,
             top_k: int = None, gen: torch.Generator = None, stop: int = None):
    """Sample new_tokens after prompt (batch, time) from a causal model; greedy if temperature=0.
    Stops early once every row has produced `stop` (then pads with it)."""
    model.eval()
    out = prompt
    done = torch.zeros(prompt.shape[0], dtype=torch.bool, device=prompt.device)
    for _ in range(new_tokens):
        logits = model(out[:, -model.max_len:])[:, -1].float()
        if temperature == 0:
            nxt = logits.argmax(-1)
        else:
            logits = logits / temperature
            if top_k:
                kth = logits.topk(top_k, dim=-1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = F.softmax(logits, -1)
            nxt = torch.multinomial(probs.cpu(), 1, generator=gen)[:, 0].to(out.device)
        if stop is not None:
            nxt = torch.where(done, torch.full_like(nxt, stop), nxt)
            done |= nxt == stop
        out = torch.cat([out, nxt[:, None]], 1)
        if stop is not None and done.all():
            break
    return out[:, prompt.shape[1]:]

"""The plain supervised loop that the classifier notebooks share.

It is deliberately ordinary (shuffle, mini-batch, step, schedule), so that what a notebook
changes, the layer or the optimiser or the regulariser its paper is about, is the only
difference between its runs. Whole datasets sit on the device as tensors: Fashion-MNIST is
small enough, and skipping a DataLoader keeps a 2-core machine busy with the model.
"""
import math
import time

import torch
import torch.nn.functional as F

EVAL_BATCH = 2_000


@torch.no_grad()
def evaluate(model, x, y, loss_fn=F.cross_entropy, batch=EVAL_BATCH):
    """(mean loss, accuracy) of model on (x, y), in eval mode, batch by batch."""
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    for xb, yb in zip(x.split(batch), y.split(batch)):
        out = model(xb)
        total_loss += loss_fn(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    model.train(was_training)
    return total_loss / len(x), correct / len(x)


def accuracy(model, x, y, batch=EVAL_BATCH):
    """Fraction of (x, y) that model classifies correctly."""
    return evaluate(model, x, y, batch=batch)[1]


def fit(model, opt, train, test=None, *, epochs, batch=128, seed=0, schedule="cosine",
        augment=None, loss_fn=F.cross_entropy, eval_every=None):
    """Train model with opt on train=(x, y); return the history as a dict of lists.

    Per epoch: "loss" and "train_err" (running means over the epoch's mini-batches, in train
    mode, as the papers' training curves are drawn), "test_loss" and "test_acc" (when test is
    given) and "seconds" (cumulative). With eval_every=k the test set is also scored every k
    steps, into "step" and "step_test_acc", for time-to-target measurements.
    schedule: "cosine" anneals the learning rate to zero over the run; None keeps it fixed.
    augment: a function applied to each mini-batch of inputs (training only).
    A loss that turns NaN or infinite stops the run early, and "diverged" says at which step.
    """
    x, y = train
    steps_per_epoch = math.ceil(len(x) / batch)
    sched = None
    if schedule == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    elif schedule is not None:
        raise ValueError(f"schedule must be 'cosine' or None, not {schedule!r}")
    order = torch.Generator().manual_seed(seed)
    history = {"loss": [], "train_err": [], "test_loss": [], "test_acc": [], "seconds": [],
               "step": [], "step_test_acc": [], "diverged": None}
    start, step = time.perf_counter(), 0
    for _ in range(epochs):
        model.train()
        total_loss = torch.zeros((), device=x.device)
        wrong = torch.zeros((), device=x.device)
        for idx in torch.randperm(len(x), generator=order).to(x.device).split(batch):
            xb, yb = x[idx], y[idx]
            if augment is not None:
                xb = augment(xb)
            out = model(xb)
            loss = loss_fn(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            step += 1
            total_loss += loss.detach() * len(idx)
            wrong += (out.detach().argmax(1) != yb).sum()
            if eval_every and step % eval_every == 0 and test is not None:
                history["step"].append(step)
                history["step_test_acc"].append(accuracy(model, *test))
        mean_loss = total_loss.item() / len(x)
        history["loss"].append(mean_loss)
        history["train_err"].append(wrong.item() / len(x))
        if test is not None:
            test_loss, test_acc = evaluate(model, *test, loss_fn=loss_fn)
            history["test_loss"].append(test_loss)
            history["test_acc"].append(test_acc)
        history["seconds"].append(time.perf_counter() - start)
        if not math.isfinite(mean_loss):
            history["diverged"] = step
            break
    return history


def count_params(model) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

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
CHECK_EVERY = 50  # steps between reads of the divergence flag on a GPU


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


def fit(model, opt, train, val=None, *, test=None, epochs, batch=128, seed=0, schedule="cosine",
        augment=None, loss_fn=F.cross_entropy, eval_every=None):
    """Train model with opt on train=(x, y); return the history as a dict of lists.

    Per epoch: "loss" and "train_err" (running means over the epoch's mini-batches, in train
    mode, as the papers' training curves are drawn), "val_loss" and "val_acc" (when a
    validation set val=(x, y) is given) and "seconds" (cumulative). With eval_every=k the
    validation set is also scored every k steps, into "step" and "step_val_acc", for
    time-to-target measurements. Choices (learning rates, epochs, targets) are made on val.
    test=(x, y) is scored once, after the last epoch, into "test_loss" and "test_acc": the
    number a notebook reports, never one it chooses by.
    schedule: "cosine" anneals the learning rate to zero over the run; None keeps it fixed.
    augment: a function applied to each mini-batch of inputs (training only).
    Every step's loss is checked: the first that is NaN or infinite stops the run, and
    "diverged" gives its step (counted from 1); otherwise it stays None.
    """
    x, y = train
    steps_per_epoch = math.ceil(len(x) / batch)
    sched = None
    if schedule == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    elif schedule is not None:
        raise ValueError(f"schedule must be 'cosine' or None, not {schedule!r}")
    order = torch.Generator().manual_seed(seed)
    history = {"loss": [], "train_err": [], "val_loss": [], "val_acc": [], "seconds": [],
               "step": [], "step_val_acc": [], "test_loss": None, "test_acc": None, "diverged": None}
    # On a GPU, reading the loss back every step would stall the queue of kernels, so the step
    # of the first bad loss is kept on the device and read every CHECK_EVERY steps; on a CPU
    # reading it costs nothing and happens every step.
    check_every = 1 if x.device.type == "cpu" else CHECK_EVERY
    first_bad = torch.zeros((), dtype=torch.long, device=x.device)
    start, step = time.perf_counter(), 0
    for _ in range(epochs):
        model.train()
        total_loss = torch.zeros((), device=x.device)
        wrong = torch.zeros((), device=x.device)
        seen = 0
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
            seen += len(idx)
            total_loss += loss.detach() * len(idx)
            wrong += (out.detach().argmax(1) != yb).sum()
            bad = (first_bad == 0) & ~torch.isfinite(loss.detach())
            first_bad = torch.where(bad, step, first_bad)
            if (step % check_every == 0 or seen == len(x)) and first_bad.item():
                history["diverged"] = first_bad.item()
                break
            if eval_every and step % eval_every == 0 and val is not None:
                history["step"].append(step)
                history["step_val_acc"].append(accuracy(model, *val))
        history["loss"].append(total_loss.item() / seen)
        history["train_err"].append(wrong.item() / seen)
        if val is not None and history["diverged"] is None:
            val_loss, val_acc = evaluate(model, *val, loss_fn=loss_fn)
            history["val_loss"].append(val_loss)
            history["val_acc"].append(val_acc)
        history["seconds"].append(time.perf_counter() - start)
        if history["diverged"] is not None:
            break
    if test is not None and history["diverged"] is None:
        history["test_loss"], history["test_acc"] = evaluate(model, *test, loss_fn=loss_fn)
    return history


def count_params(model) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

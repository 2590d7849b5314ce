"""Generated sequence tasks that the LSTM papers themselves used, made from a seeded generator
so that a notebook can say exactly how its data was made.

- The adding problem (Hochreiter & Schmidhuber 1997, section 5, experiment 4).
- Reber strings, embedded Reber strings and the continual embedded Reber stream (Gers,
  Schmidhuber & Cummins 2000): next-symbol prediction, every legal successor counts.
"""
import numpy as np
import torch


def adding_problem(n: int, T: int, rng: np.random.Generator):
    """n sequences of the 1997 adding problem at minimal length T (T >= 20).

    Each step is a pair (value in [-1, 1], marker). Lengths are drawn from T .. T + T//10;
    sequences are right-aligned, so every one ends at the last step, and the steps before a
    short sequence start are zero padding (marker 0, value 0), which carry no signal. One of
    the first ten pairs is marked 1.0 (X1), then one of the first T/2 - 1 still unmarked ones
    (X2); the first and last pairs get marker -1 (X1 is set to 0 if the first pair was drawn).
    The target is 0.5 + (X1 + X2) / 4; a prediction counts as right when it is within 0.04.

    Returns x of shape (n, T + T//10, 2), y of shape (n,), lengths of shape (n,).
    """
    if T < 20:
        raise ValueError(f"adding problem: T={T} is too short (the paper's shortest is 100)")
    L = T + T // 10
    x = np.zeros((n, L, 2), dtype=np.float32)
    y = np.zeros(n, dtype=np.float32)
    lengths = rng.integers(T, L + 1, size=n)
    for i, length in enumerate(lengths):
        seq = np.zeros((length, 2), dtype=np.float32)
        seq[:, 0] = rng.uniform(-1, 1, size=length)
        first = rng.integers(0, 10)
        second = rng.choice([j for j in range(T // 2 - 1) if j != first])
        seq[[first, second], 1] = 1.0
        if first == 0 or second == 0:
            seq[0, 0] = 0.0  # the paper: if the first pair is marked, its value is zero
        seq[0, 1] = -1.0 if seq[0, 1] == 0 else seq[0, 1]
        seq[-1, 1] = -1.0
        y[i] = 0.5 + (seq[first, 0] + seq[second, 0]) / 4.0
        x[i, L - length:] = seq
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(lengths)


ADDING_TOLERANCE = 0.04

# The Reber grammar as a finite automaton: state -> [(symbol, next state)]; 0 starts after B,
# and state 5's "E" ends the string.
REBER = {
    0: [("T", 1), ("P", 2)],
    1: [("S", 1), ("X", 3)],
    2: [("T", 2), ("V", 4)],
    3: [("X", 2), ("S", 5)],
    4: [("P", 3), ("V", 5)],
    5: [("E", None)],
}
SYMBOLS = "BTPSXVE"


def reber(rng: np.random.Generator) -> tuple:
    """One Reber string, with the set of legal successors after each symbol."""
    out, legal, state = ["B"], [{s for s, _ in REBER[0]}], 0
    while state is not None:
        symbol, state = REBER[state][rng.integers(len(REBER[state]))]
        out.append(symbol)
        legal.append({s for s, _ in REBER[state]} if state is not None else set())
    return "".join(out), legal


def embedded_reber(rng: np.random.Generator) -> tuple:
    """B, then T or P, a Reber string, the same T or P again, then E. The second T/P can only
    be predicted by remembering the first across the whole inner string: the long lag."""
    outer = "TP"[rng.integers(2)]
    inner, inner_legal = reber(rng)
    string = "B" + outer + inner + outer + "E"
    legal = [{"T", "P"}, {"B"}] + inner_legal[:-1] + [{outer}, {"E"}, set()]
    return string, legal


def continual_embedded_reber(n_strings: int, rng: np.random.Generator) -> tuple:
    """n embedded Reber strings run together with no marker between them and no reset: after
    each final E the next string's B follows. Returns the stream and, per position, the legal
    next symbols (the last position's set is empty)."""
    stream, legal = [], []
    for _ in range(n_strings):
        string, string_legal = embedded_reber(rng)
        if legal:
            legal[-1] = {"B"}  # after an E comes the next string's B
        stream.append(string)
        legal.extend(string_legal)
    return "".join(stream), legal


def one_hot(string: str) -> torch.Tensor:
    """(len, 7) one-hot rows over SYMBOLS."""
    idx = torch.tensor([SYMBOLS.index(c) for c in string])
    return torch.nn.functional.one_hot(idx, len(SYMBOLS)).float()


def legal_mask(legal: list) -> torch.Tensor:
    """(len, 7) 0/1 rows: which symbols may come next after each position."""
    mask = torch.zeros(len(legal), len(SYMBOLS))
    for i, allowed in enumerate(legal):
        for s in allowed:
            mask[i, SYMBOLS.index(s)] = 1.0
    return mask

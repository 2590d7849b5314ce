"""A cache for what is slow to re-create (trained models, tokenizers), keyed by the code and the
settings that produced it: change either and the old entry is simply never found again.

Entries live in $DLH_CACHE_DIR, else <repo>/.cache/dlh (ignored by git). Nothing depends on an
entry existing: a notebook that finds none makes it, so every machine can rebuild everything.
Each entry is written to a temporary name and renamed, so an interrupted run leaves no
half-written file behind.
"""
import hashlib
import inspect
import json
import os
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[2]


def cache_dir(kind: str) -> Path:
    root = Path(os.environ["DLH_CACHE_DIR"]) if os.environ.get("DLH_CACHE_DIR") else REPO / ".cache" / "dlh"
    return root / kind


def fingerprint(*parts) -> str:
    """A short hash of parts: modules, classes and functions by their source code, anything else
    by its JSON form (dicts with sorted keys) or its repr."""
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        if inspect.ismodule(part) or inspect.isclass(part) or inspect.isfunction(part):
            text = inspect.getsource(part)
        elif isinstance(part, (bytes, bytearray)):
            h.update(part)
            continue
        else:
            try:
                text = json.dumps(part, sort_keys=True, default=repr)
            except TypeError:
                text = repr(part)
        h.update(text.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def write_atomic(path: Path, save) -> None:
    """save(temporary path), then rename it to path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        save(part)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


def cached(name: str, key, make, quiet: bool = False):
    """The object make() returns (tensors, numbers, strings, lists and dicts of them), from the
    cache when an entry for (name, key) exists, else made now and stored.

    key: whatever decides the result: the settings, and the functions or modules that train.
    """
    path = cache_dir("checkpoints") / f"{name}-{fingerprint(*key)}.pt"
    if path.is_file():
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
            if not quiet:
                print(f"{name}: loaded from the cache ({path.name})")
            return obj
        except Exception as err:  # a damaged entry is re-made, not trusted
            print(f"{name}: cache entry {path} unreadable ({err}); making it again")
    obj = make()
    write_atomic(path, lambda p: torch.save(obj, p))
    if not quiet:
        print(f"{name}: made and cached ({path.name})")
    return obj

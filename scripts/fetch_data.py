#!/usr/bin/env python3
"""Put the notebooks' datasets into .data/ (ignored by git), for a GPU runner or a laptop.

Fashion-MNIST is copied from wherever kit.data finds it (DLH_DATA_DIR, the Debian package
dataset-fashion-mnist) or, on a machine with internet, downloaded from its canonical source
with checksums. The same loader the notebooks use does the looking: one copy of that logic.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))

from kit import data  # noqa: E402


def fashion_mnist() -> Path:
    dest = data.CACHE_DIR
    if all((dest / name).is_file() for name in data.FILES):
        return dest
    source = data.find_dir()  # raises with the install command when nothing is found
    if source != dest:
        dest.mkdir(parents=True, exist_ok=True)
        for name in data.FILES:
            shutil.copy2(source / name, dest / name)
    return dest


if __name__ == "__main__":
    try:
        where = fashion_mnist()
    except FileNotFoundError as err:
        sys.exit(f"fetch_data: {err}")
    print(f"fetch_data: Fashion-MNIST ready in {where.relative_to(ROOT)}")

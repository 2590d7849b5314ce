"""Tests for notebooks/kit: the loader's IDX parsing on tiny files written here, its error
messages, the scale switch and the result record. No network, no real dataset needed."""
import gzip
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

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
    monkeypatch.setenv("DLH_SCALE", "cpu")
    return outputs


GAIN = report.Rule("accuracy gain over the baseline", null=0.0)


def args(**changes):
    base = dict(claim="hidden layers beat none", metric="test accuracy gain", data="Fashion-MNIST",
                judged=GAIN.judge([0.011, 0.012, np.float32(0.013)]), reference=0.8833,
                reference_source="README table", measured={"MLP": [0.88, 0.89, 0.87]})
    base.update(changes)
    return base


def test_record_displays_one_bundle_with_exact_fields(shown):
    payload = report.record("dnn", **args(note="three seeds"))
    assert len(shown) == 1
    bundle, raw = shown[0]
    assert raw is True
    assert set(bundle) == {report.RESULT_MIME, "text/markdown"}
    assert bundle[report.RESULT_MIME] == payload
    assert set(payload) == {"notebook", "kind", "claim", "metric", "data", "reference",
                            "reference_source", "rule", "ours", "margin", "seeds", "values",
                            "measured", "verdict", "why", "note"}
    assert payload["kind"] == "headline" and payload["seeds"] == 3
    assert all(type(v) is float for v in payload["values"])  # numpy scalars become JSON floats
    assert payload["verdict"] == "reproduced" and payload["ours"] == pytest.approx(0.012)
    assert payload["margin"] == pytest.approx(4.303 * 0.001 / 3 ** 0.5, rel=1e-3)
    assert "reproduced" in bundle["text/markdown"] and "0.8833" in bundle["text/markdown"]


def test_record_allows_no_reference_and_benchmark_kind(shown):
    payload = report.record("dnn", **args(reference=None, reference_source="", kind="benchmark"))
    assert payload["reference"] is None and payload["kind"] == "benchmark"


def test_record_takes_a_judgement_never_a_typed_verdict(shown):
    with pytest.raises(TypeError):
        report.record("dnn", **args(verdict="reproduced"))
    with pytest.raises(ValueError, match="judged"):
        report.record("dnn", **args(judged="reproduced"))
    assert shown == []


@pytest.mark.parametrize("field,value", [("reference", True), ("claim", ""), ("kind", "main"),
                                         ("data", "real data"), ("data", "generated"),
                                         ("measured", {"MLP": [float("nan")]})])
def test_record_rejects_bad_fields(shown, field, value):
    with pytest.raises(ValueError, match=field if field != "measured" else "measured"):
        report.record("dnn", **args(**{field: value}))
    assert shown == []


def test_record_names_generated_data(shown):
    payload = report.record("u-net", **args(data="generated (cells drawn with exact masks)"))
    assert payload["data"].startswith("generated (")


@pytest.mark.parametrize("values,verdict", [
    ([0.02, 0.021, 0.019], "reproduced"),            # clear of zero, no size claimed
    ([0.02, -0.01, 0.03], "not reproduced"),         # positive mean inside the noise
    ([-0.02, -0.021, -0.019], "not reproduced"),     # clearly the other way
])
def test_direction_rule(shown, values, verdict):
    assert GAIN.judge(values).verdict == verdict


def test_inside_noise_can_be_inconclusive(shown):
    rule = report.Rule("gain", inside_noise=report.INCONCLUSIVE)
    assert rule.judge([0.02, -0.01, 0.03]).verdict == report.INCONCLUSIVE
    assert rule.judge([-0.02, -0.021, -0.019]).verdict == report.NOT_REPRODUCED


def test_size_rule_gives_partly_when_the_whole_interval_falls_short(shown):
    speedup = report.Rule("speed-up", null=1.0, target=6.0, source="Figure 1")
    assert speedup.judge([1.5, 1.6, 1.55]).verdict == report.PARTLY
    assert speedup.judge([5.0, 7.0, 6.5]).verdict == report.REPRODUCED
    assert speedup.judge([0.9, 1.2, 1.1]).verdict == report.NOT_REPRODUCED
    assert "Figure 1" in speedup.text() and "partly" in speedup.text()


def test_lower_is_better_rule(shown):
    ratio = report.Rule("Adam's loss / the best other's", null=1.0, higher=False)
    assert ratio.judge([0.90, 0.92, 0.91]).verdict == report.REPRODUCED
    assert ratio.judge([1.01, 1.02, 1.015]).verdict == report.NOT_REPRODUCED  # second place is not first


def test_undecided_budget_is_inconclusive(shown):
    judged = GAIN.judge([0.02, 0.021, 0.019], undecided="no run reached 25% training error")
    assert judged.verdict == report.INCONCLUSIVE and "25%" in judged.why


def test_a_headline_needs_three_seeds_outside_smoke(shown, monkeypatch):
    with pytest.raises(ValueError, match="at least 3 seeds"):
        GAIN.judge([0.02, 0.03])
    monkeypatch.setenv("DLH_SCALE", "smoke")
    assert GAIN.judge([0.02]).verdict == report.NOT_REPRODUCED  # one seed: an infinite margin


@pytest.mark.parametrize("kwargs", [dict(null=float("nan")), dict(inside_noise="partly"),
                                    dict(target=-1.0), dict(measure="")])
def test_rule_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        report.Rule(**{"measure": "gain", **kwargs})


def test_t_quantiles():
    assert report.t975(2) == 4.303 and report.t975(1000) == pytest.approx(1.962, abs=1e-3)
    assert report.t975(31) == pytest.approx(2.040, abs=2e-3)


def test_say_displays_markdown(monkeypatch):
    seen = []
    monkeypatch.setattr(report, "display", seen.append)
    report.say("The gain was 0.012.")
    assert seen[0].data == "The gain was 0.012."


def test_package_exposes_modules():
    assert kit.run is run and kit.data is data and kit.report is report and kit.train is train
    assert {"text", "tasks", "translation"} <= set(kit.__all__)


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
    history = train.fit(model, opt, blobs(), blobs(seed=1), test=blobs(seed=2),
                        **{"epochs": 3, "batch": 32, **kwargs})
    return model, history


def test_fit_learns_and_logs_every_epoch():
    model, history = run_fit(eval_every=5)
    assert len(history["loss"]) == len(history["val_acc"]) == len(history["seconds"]) == 3
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_acc"][-1] > 0.95 and history["train_err"][-1] < 0.05
    assert history["step"] == list(range(5, 3 * 13 + 1, 5))  # 400 / 32 -> 13 steps per epoch
    assert len(history["step_val_acc"]) == len(history["step"])
    assert history["diverged"] is None and model.training
    assert train.accuracy(model, *blobs(seed=1)) == history["val_acc"][-1]
    assert train.accuracy(model, *blobs(seed=2)) == history["test_acc"]  # scored once, at the end


def test_fit_is_repeatable_with_a_seed():
    assert run_fit()[1]["loss"] == run_fit()[1]["loss"]
    assert run_fit(seed=1)[1]["loss"] != run_fit()[1]["loss"]


def test_fit_stops_at_the_step_where_the_loss_diverges():
    calls = []

    def blows_up_at_step_20(out, y, reduction="mean"):
        calls.extend([1] if reduction == "mean" else [])  # training steps, not evaluations
        loss = F.cross_entropy(out, y, reduction=reduction)
        return loss * float("inf") if len(calls) == 20 else loss

    _, history = run_fit(epochs=5, loss_fn=blows_up_at_step_20)
    assert history["diverged"] == 20  # in the second epoch (13 steps each), not at its end
    assert len(calls) == 20 and len(history["loss"]) == 2
    assert history["test_acc"] is None and history["val_acc"] == [history["val_acc"][0]]


def test_fit_applies_augmentation_to_training_batches_only():
    seen = []
    run_fit(epochs=1, augment=lambda xb: seen.append(len(xb)) or xb)
    assert sum(seen) == 400


def test_fit_rejects_an_unknown_schedule():
    with pytest.raises(ValueError, match="schedule must be"):
        run_fit(schedule="step")


def test_count_params():
    assert train.count_params(torch.nn.Linear(3, 2)) == 8

"""Tests for the transformer notebooks' shared code: kit.transformer (attention against
PyTorch's, causal and padding masks), kit.lm (windows, training, sampling), kit.cache,
kit.tokens (byte-level BPE), the review-sentence loader in kit.text, and kit.pretrained at
smoke scale. Small inputs made here; the pre-trained model test uses the real Shakespeare text."""
import sys
from pathlib import Path

import pytest
import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

from kit import cache, lm, text, tokens, transformer  # noqa: E402


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DLH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


# ---------------------------------------------------------------- kit.transformer

def test_attention_matches_nn_multihead_attention():
    torch.manual_seed(0)
    dim, heads = 16, 4
    ours = transformer.Attention(dim, heads)
    ref = nn.MultiheadAttention(dim, heads, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(ours.qkv.weight)
        ref.in_proj_bias.copy_(ours.qkv.bias)
        ref.out_proj.weight.copy_(ours.proj.weight)
        ref.out_proj.bias.copy_(ours.proj.bias)
    x = torch.randn(2, 5, dim)
    keep = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.bool)
    mask = transformer.attention_mask(5, 5, keep, causal=True)
    expected, _ = ref(x, x, x, attn_mask=~mask[:, 0].repeat_interleave(heads, 0))
    torch.testing.assert_close(ours(x, mask=mask), expected, atol=1e-5, rtol=1e-5)
    # and the comparison can fail: a different mask gives a different answer
    assert not torch.allclose(ours(x), expected, atol=1e-3)


def test_causal_lm_does_not_look_ahead_and_encoder_does():
    torch.manual_seed(0)
    x = torch.randint(0, 50, (1, 8))
    y = x.clone()
    y[0, 5] = (x[0, 5] + 1) % 50
    gpt = transformer.TransformerLM(50, dim=16, layers=2, heads=2, max_len=8, causal=True).eval()
    torch.testing.assert_close(gpt(x)[0, :5], gpt(y)[0, :5])
    assert not torch.allclose(gpt(x)[0, 5:], gpt(y)[0, 5:])
    bert = transformer.TransformerLM(50, dim=16, layers=2, heads=2, max_len=8, causal=False).eval()
    assert not torch.allclose(bert(x)[0, :5], bert(y)[0, :5])


def test_padding_does_not_change_real_positions():
    torch.manual_seed(0)
    model = transformer.TransformerLM(30, dim=16, layers=2, heads=2, max_len=10, causal=False).eval()
    x = torch.randint(1, 30, (1, 6))
    padded = torch.cat([x, torch.zeros(1, 4, dtype=torch.long)], 1)
    keep = torch.tensor([[True] * 6 + [False] * 4])
    torch.testing.assert_close(model.hidden(padded, keep)[:, :6], model.hidden(x), atol=1e-5, rtol=1e-5)


def test_too_long_input_is_refused():
    model = transformer.TransformerLM(30, dim=8, layers=1, heads=2, max_len=4)
    with pytest.raises(ValueError, match="longer than max_len 4"):
        model(torch.zeros(1, 5, dtype=torch.long))


def test_sinusoidal_positions_follow_the_formula():
    table = transformer.sinusoidal_positions(50, 8)
    pos, i = 7, 3  # dims 2i and 2i+1
    angle = pos / 10000 ** (2 * i / 8)
    assert table[pos, 2 * i].item() == pytest.approx(torch.sin(torch.tensor(angle)).item(), abs=1e-6)
    assert table[pos, 2 * i + 1].item() == pytest.approx(torch.cos(torch.tensor(angle)).item(), abs=1e-6)


def test_encoder_decoder_learns_to_copy_and_decodes_greedily():
    torch.manual_seed(0)
    bos, eos, vocab = 1, 2, 12
    model = transformer.EncoderDecoder(vocab, dim=32, layers=1, heads=2, max_len=8)
    gen = torch.Generator().manual_seed(0)

    def batch(step):
        src = torch.randint(3, vocab, (32, 4), generator=gen)
        tgt = torch.cat([src, torch.full((32, 1), eos)], 1)
        tgt_in = torch.cat([torch.full((32, 1), bos), src], 1)
        return src, tgt_in, tgt

    def loss(model, src, tgt_in, tgt):
        logits = model(src, tgt_in)
        return nn.functional.cross_entropy(logits.reshape(-1, vocab), tgt.reshape(-1))

    hist = lm.train(model, batch, loss, steps=300, lr=3e-3)
    assert hist["loss"][-1] < 0.2 < hist["loss"][0]
    src = torch.tensor([[3, 4, 5, 6], [7, 8, 9, 10]])
    out = model.greedy(src, None, bos, eos, max_len=6)
    assert out[:, :4].tolist() == src.tolist() and (out[:, 4] == eos).all()


def test_count_parameters_counts_tied_weights_once():
    model = transformer.TransformerLM(100, dim=8, layers=1, heads=2, max_len=4)
    untied = sum(p.numel() for p in model.parameters()) + model.head.weight.numel()
    assert transformer.count_parameters(model) == untied - 100 * 8
    for p in model.embed.parameters():
        p.requires_grad_(False)
    assert transformer.count_parameters(model, trainable_only=True) < transformer.count_parameters(model)


# ---------------------------------------------------------------- kit.lm

def test_windows_are_shifted_by_one():
    ids = torch.arange(100)
    x, y = lm.windows(ids, 10, 4, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 10)
    torch.testing.assert_close(y, x + 1)
    with pytest.raises(ValueError, match="too short"):
        lm.windows(torch.arange(5), 10, 1, torch.Generator())


def test_train_lm_learns_a_repeating_stream_and_generates_it():
    torch.manual_seed(0)
    ids = torch.arange(8).repeat(200)  # 0 1 2 ... 7 0 1 ...
    model = transformer.TransformerLM(8, dim=16, layers=1, heads=2, max_len=16)
    hist = lm.train_lm(model, ids, steps=150, block=16, batch=16, lr=1e-2, val_ids=ids, eval_every=50)
    assert hist["eval"][-1] < 0.1 < hist["loss"][0] and hist["eval_step"] == [50, 100, 150]
    out = lm.generate(model, torch.tensor([[3, 4, 5]]), 6, temperature=0)
    assert out.tolist() == [[6, 7, 0, 1, 2, 3]]


def test_training_stops_on_a_non_finite_loss_naming_the_step():
    def batch(step):  # step 3 feeds a NaN
        return (torch.full((1, 2), float("nan") if step == 3 else 1.0),)

    with pytest.raises(FloatingPointError, match="at step 3"):
        lm.train(nn.Linear(2, 2), batch, lambda model, x: model(x).sum(), steps=10)


def test_generate_stops_rows_at_the_stop_token():
    class Fixed(nn.Module):  # always predicts token 2, the stop token
        max_len = 8

        def forward(self, x):
            logits = torch.zeros(*x.shape, 4)
            logits[..., 2] = 10.0
            return logits
    out = lm.generate(Fixed(), torch.zeros(3, 1, dtype=torch.long), 5, temperature=0, stop=2)
    assert out.tolist() == [[2], [2], [2]]


# ---------------------------------------------------------------- kit.cache

def test_cache_makes_once_and_is_keyed_by_code_and_settings(cache_dir):
    calls = []

    def make():
        calls.append(1)
        return {"w": torch.ones(2), "loss": 0.5}

    first = cache.cached("m", ({"dim": 4}, make), make, quiet=True)
    again = cache.cached("m", ({"dim": 4}, make), make, quiet=True)
    other = cache.cached("m", ({"dim": 8}, make), make, quiet=True)
    assert len(calls) == 2 and again["loss"] == 0.5 and torch.equal(first["w"], again["w"])
    assert other["loss"] == 0.5
    assert not list(cache_dir.rglob("*.part"))


def test_fingerprint_changes_with_source_code():
    def f():
        return 1

    def g():
        return 2
    assert cache.fingerprint(f) != cache.fingerprint(g)
    assert cache.fingerprint({"a": 1, "b": 2}) == cache.fingerprint({"b": 2, "a": 1})


def test_damaged_cache_entry_is_made_again(cache_dir):
    cache.cached("m", ("k",), lambda: {"x": 1}, quiet=True)
    entry = next((cache_dir / "checkpoints").glob("m-*.pt"))
    entry.write_bytes(b"not a checkpoint")
    assert cache.cached("m", ("k",), lambda: {"x": 2}, quiet=True) == {"x": 2}


def test_a_failing_make_leaves_no_entry(cache_dir):
    def boom():
        raise RuntimeError("training failed")
    with pytest.raises(RuntimeError, match="training failed"):
        cache.cached("m", ("k",), boom, quiet=True)
    assert not (cache_dir / "checkpoints").exists() or not list((cache_dir / "checkpoints").iterdir())


# ---------------------------------------------------------------- kit.tokens

def test_bpe_round_trips_text_and_puts_specials_first(cache_dir):
    texts = ["To be, or not to be, that is the question.", "Wie geht es dir? Très bien!"] * 50
    tok = tokens.bpe(texts, 300, name="t")
    for i, s in enumerate(tokens.SPECIALS):
        assert tokens.special(tok, s) == i
    sample = "To be or not, ünïcödé ☃"
    assert tokens.decode(tok, tokens.encode(tok, sample)) == sample
    assert len(tokens.encode(tok, "to be, or not to be")) < len("to be, or not to be".encode())
    assert len(list((cache_dir / "tokenizers").glob("t-*.json"))) == 1
    again = tokens.bpe(texts, 300, name="t")  # loaded, same vocabulary
    assert again.get_vocab() == tok.get_vocab()
    with pytest.raises(ValueError, match="no room"):
        tokens.bpe(texts, 100)


# ---------------------------------------------------------------- kit.text: rated reviews

@pytest.fixture
def no_reviews(tmp_path, monkeypatch):
    monkeypatch.setenv("DLH_OFFLINE", "1")
    monkeypatch.setenv("DLH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(text, "CACHE", tmp_path / "cache")
    text._reviews.cache_clear()
    text._lexicon.cache_clear()
    yield tmp_path / "data" / "vader"
    text._reviews.cache_clear()
    text._lexicon.cache_clear()


def write_vader(folder: Path, reviews: str, lexicon: str = "good\t1.9\t0.9\t[2, 2]\nbad\t-2.5\t0.6\t[-3]\n"):
    folder.mkdir(parents=True)
    (folder / text.VADER_FILES[0]).write_text(reviews)
    (folder / text.VADER_FILES[1]).write_text(lexicon)


def test_reviews_load_split_by_hash_and_keep_the_first_of_duplicates(no_reviews):
    lines = [f"{i}\t{(i % 7) - 3}.5\tSentence number {i} is ''quoted''." for i in range(1, 200)]
    lines.append("200\t-1.0\tSentence number 1 is ''quoted''.")
    write_vader(no_reviews, "\n".join(lines) + "\n")
    every = text.reviews("all")
    assert len(every) == 199 and every[0] == ('Sentence number 1 is "quoted".', -2.5)
    parts = [text.reviews(s) for s in ("train", "val", "test")]
    assert sum(map(len, parts)) == 199 and len(parts[0]) > len(parts[1])
    assert all(text.split_of(s) == "val" for s, _ in parts[1])
    assert text.vader_lexicon() == {"good": 1.9, "bad": -2.5}


def test_a_bad_review_line_is_named(no_reviews):
    write_vader(no_reviews, "1\t2.0\tFine.\n2\tgreat\tNot a number.\n")
    with pytest.raises(ValueError, match=r"movieReviewSnippets_GroundTruth.txt:2"):
        text.reviews("all")


def test_a_rating_out_of_range_is_named(no_reviews):
    write_vader(no_reviews, "1\t7.0\tToo good.\n")
    with pytest.raises(ValueError, match=r":1: rating 7.0 is outside"):
        text.reviews("all")


def test_missing_reviews_name_the_install_command(no_reviews):
    with pytest.raises(FileNotFoundError, match="vadersentiment==3.3.2"):
        text.reviews()


# ---------------------------------------------------------------- kit.pretrained (real text)

def test_shared_gpt_is_trained_once_then_loaded(cache_dir, capsys):
    from kit import pretrained
    model, info = pretrained.gpt(scale="smoke")
    assert info["config"] == pretrained.GPT["smoke"] and info["val_loss"] < 7.0
    assert "made and cached" in capsys.readouterr().out
    again, _ = pretrained.gpt(scale="smoke")
    assert "loaded from the cache" in capsys.readouterr().out
    x = pretrained.shakespeare_ids("val")[:16][None]
    torch.testing.assert_close(model(x), again(x))


def test_cache_lives_in_a_folder_git_ignores():
    import subprocess
    root = Path(__file__).resolve().parents[1]
    entry = cache.cache_dir("checkpoints").relative_to(root) / "gpt-cpu-seed0-0123.pt"
    result = subprocess.run(["git", "check-ignore", "-q", str(entry)], cwd=root)
    assert result.returncode == 0, f"{entry} would be committed: add its folder to .gitignore"


def test_vader_download_unpacks_the_nested_tarball_and_checks_the_sha(no_reviews, monkeypatch):
    import hashlib
    import io
    import shutil
    import tarfile

    def tar_bytes(files):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for name, body in files:
                info = tarfile.TarInfo(name)
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
        return buf.getvalue()

    inner = tar_bytes([("hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt", b"1\t2.5\tGreat fun.\n"),
                       ("hutto_ICWSM_2014/vader_sentiment_lexicon.txt", b"fun\t2.3\t0.5\t[2]\n"),
                       ("hutto_ICWSM_2014/tweets_GroundTruth.txt", b"1\t0.1\tnot wanted\n")])
    no_reviews.parent.mkdir(parents=True)
    sdist = no_reviews.parent / "vaderSentiment-3.3.2.tar.gz"
    sdist.write_bytes(tar_bytes([("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz", inner)]))

    def pip_download(cmd, **kwargs):
        shutil.copy(sdist, cmd[cmd.index("--dest") + 1])
        return text.subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(text.subprocess, "run", pip_download)
    monkeypatch.setattr(text, "VADER_SHA256", hashlib.sha256(sdist.read_bytes()).hexdigest())
    folder = text.download_vader(no_reviews.parent / "got")
    assert sorted(p.name for p in folder.iterdir()) == sorted(text.VADER_FILES)
    assert text.read_rated(folder / text.VADER_FILES[0]) == [("Great fun.", 2.5)]
    monkeypatch.setattr(text, "VADER_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="SHA-256"):
        text.download_vader(no_reviews.parent / "again")

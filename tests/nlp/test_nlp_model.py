"""Model training, JSON persistence, the shipped model's data hash, and hot reload."""

from __future__ import annotations

import json
import os
import stat

import pytest

from nlp import Classifier, LabeledExample, Model, ModelError, examples_hash, load_examples, train
from nlp.model import DEFAULT_PARAMS, MODEL_FORMAT, MODEL_VERSION
from nlp.paths import MODEL_PATH, TRAIN_PATH

PROBES = ["稳岗补贴怎么申请", "门口占道谁管", "想开个剧本杀店要办什么手续", "贷款利率太高"]


@pytest.fixture(scope="module")
def small_model(dev_examples) -> Model:
    return train(dev_examples)


def test_save_and_load_round_trip(tmp_path, small_model):
    path = tmp_path / "m.json"
    small_model.save(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == MODEL_FORMAT and doc["version"] == MODEL_VERSION
    assert doc["data_hash"] == small_model.data_hash
    assert path.read_bytes().isascii()  # parsing all-ASCII JSON takes a third of the peak memory
    loaded = Model.load(path)
    a, b = Classifier(model=small_model), Classifier(model=loaded)
    for text in PROBES:
        assert a.classify(text).to_json() == b.classify(text).to_json()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temp file left behind


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"format": "other"}),
        json.dumps({"format": MODEL_FORMAT, "version": 999}),
        json.dumps({"format": MODEL_FORMAT, "version": MODEL_VERSION, "data_hash": "x"}),
        json.dumps({"format": MODEL_FORMAT, "version": MODEL_VERSION, "category": {"classes": 3}}),
    ],
)
def test_unusable_model_file_is_refused(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError):
        Model.load(path)


def test_data_hash_follows_the_examples(dev_examples):
    h = examples_hash(dev_examples)
    assert h == examples_hash(list(dev_examples))
    changed = [LabeledExample(dev_examples[0].text + "。", dev_examples[0].category, dev_examples[0].department)]
    assert examples_hash(changed + list(dev_examples[1:])) != h
    assert train(dev_examples).data_hash == h
    assert train(dev_examples, weight=2.0).data_hash != h


def test_shipped_model_was_built_from_the_current_training_file():
    model = Model.load(MODEL_PATH)
    examples = load_examples(TRAIN_PATH)
    assert model.data_hash == examples_hash(examples), "run `python -m nlp.build` after editing train.jsonl"
    assert model.n_examples == len(examples) and model.n_corrections == 0
    assert model.params == DEFAULT_PARAMS, "defaults changed: run `python -m nlp.build`"


def test_out_of_scope_example_parsing():
    ex = LabeledExample.from_dict({"text": "x", "category": "out_of_scope", "in_scope": False, "reason": "petition"})
    assert ex.category == "out_of_scope" and not ex.in_scope and ex.reason == "petition"
    assert LabeledExample.from_dict(ex.to_dict()) == ex


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hot_reload_picks_up_a_new_model_file(tmp_path, dev_examples):
    path = tmp_path / "model.json"
    first = train(dev_examples[:60])
    second = train(dev_examples)
    assert first.data_hash != second.data_hash
    first.save(path)
    clock = FakeClock()
    clf = Classifier(model_path=path, clock=clock)
    assert clf.classify("稳岗补贴").model_hash == first.data_hash

    second.save(path)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    clock.now += 0.5  # checked at most once per second: not yet
    assert clf.classify("稳岗补贴").model_hash == first.data_hash
    clock.now += 0.6
    assert clf.classify("稳岗补贴").model_hash == second.data_hash
    assert clf.model.data_hash == second.data_hash


def test_broken_model_file_keeps_the_previous_model(tmp_path, small_model):
    path = tmp_path / "model.json"
    small_model.save(path)
    clock = FakeClock()
    clf = Classifier(model_path=path, clock=clock)
    path.write_text("{half written", encoding="utf-8")
    os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 5_000_000_000))
    clock.now += 2
    result = clf.classify("稳岗补贴")
    assert result.model_hash == small_model.data_hash


def _array(typecode, values):
    import base64
    from array import array

    return base64.b64encode(array(typecode, values).tobytes()).decode("ascii")


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["department"].update(rows="not base64!"),
        lambda d: d["department"].update(rows=_array("I", [0, 1])),  # shorter than the vocabulary
        lambda d: d["department"].update(cls=_array("H", [999] * (len(d["department"]["cls"]) * 3 // 4 // 2))),
        lambda d: d["department"].update(cnt=d["department"]["cnt"][:-8]),  # fewer counts than classes
        lambda d: d["scope"].update(cnt=_array("f", [float("nan")] * (len(d["scope"]["cnt"]) * 3 // 4 // 4))),
        lambda d: d["department_linear"].update(w=_array("f", [float("inf")] * (len(d["department_linear"]["w"]) * 3 // 4 // 4))),
        lambda d: d["department_linear"].update(classes=d["department_linear"]["classes"][::-1]),
        lambda d: d.pop("department_linear"),  # a version-3 file
        lambda d: d["scope_linear"].update(classes=d["scope_linear"]["classes"][::-1]),
        lambda d: d.pop("scope_linear"),  # a version-4 file
        lambda d: d["channel_linear"].update(classes=d["channel_linear"]["classes"][::-1]),
        lambda d: d.pop("channel_linear"),  # a version-5 file
        lambda d: d.update(features="稳岗"),
        lambda d: d.update(features=d["features"][:-1]),
    ],
)
def test_malformed_counts_are_refused(tmp_path, small_model, damage):
    path = tmp_path / "m.json"
    small_model.save(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    damage(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ModelError):
        Model.load(path)


def test_writer_folds_hold_out_one_writer_at_a_time():
    from nlp.tune import writer_folds

    examples = [LabeledExample(f"t{i}", "tax", "shuiwu", source=s) for i, s in enumerate(["a", None, "b", "a", None])]
    assert writer_folds(examples) == [[0, 3], [2]]  # unattributed examples always train


def test_tuned_weights_are_checked_on_sets_never_trained_on(dev_examples):
    from nlp.model import DEFAULT_PARAMS
    from nlp.tune import regression_reports

    (report,) = regression_reports(dev_examples[:80], dev_examples[80:100], [DEFAULT_PARAMS])
    assert report.n == 20 and 0.0 <= report.department_top1 <= 1.0

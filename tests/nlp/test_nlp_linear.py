"""The department perceptron (nlp/linear.py): learning, reproducibility, pruning, its share of the
department scores."""

from __future__ import annotations

import math

from nlp import Classifier, train
from nlp.linear import Perceptron
from nlp.model import text_features

from .scoring import department_scores_apart

VOCAB = {f: i for i, f in enumerate(["税", "发票", "社保", "工资", "你好", "申请"])}
CLASSES = ["shuiwu", "renshe"]


def _data(repeat: int = 3):
    # "你好" and "申请" occur in both classes; the label follows 税/发票 versus 社保/工资.
    rows = [
        (["税", "发票", "申请"], "shuiwu"),
        (["发票", "你好"], "shuiwu"),
        (["社保", "申请"], "renshe"),
        (["工资", "社保", "你好"], "renshe"),
    ]
    return [(sorted(VOCAB[f] for f in feats), label, 1.0) for feats, label in rows] * repeat


def _scores(model: Perceptron, feats: list[str]) -> list[float]:
    s = [0.0] * len(model.classes)
    for f in feats:
        for c, w in model.entry_at(VOCAB[f]):
            s[c] += w
    return s


def test_learns_which_features_decide_and_ignores_shared_ones():
    p = Perceptron.fit(_data(), CLASSES, VOCAB, epochs=5, prune=0.0)
    for feats, label in ((["发票"], "shuiwu"), (["税", "你好"], "shuiwu"), (["工资"], "renshe"), (["社保", "申请"], "renshe")):
        s = _scores(p, feats)
        assert CLASSES[s.index(max(s))] == label, feats
    assert p.entry_at(VOCAB["你好"]) == () or max(abs(w) for _, w in p.entry_at(VOCAB["你好"])) < max(
        abs(w) for _, w in p.entry_at(VOCAB["发票"])
    )


def test_training_is_reproducible_and_pruning_keeps_the_largest_weights():
    a = Perceptron.fit(_data(), CLASSES, VOCAB, epochs=3, prune=0.0)
    b = Perceptron.fit(_data(), CLASSES, VOCAB, epochs=3, prune=0.0)
    assert (a.rows, a.cls, a.w) == (b.rows, b.cls, b.w)
    top1 = Perceptron.fit(_data(), CLASSES, VOCAB, epochs=3, prune=0.0, top=1)
    assert len(top1.cls) < len(a.cls)
    for i in range(len(VOCAB)):
        full, kept = a.entry_at(i), top1.entry_at(i)
        assert len(kept) <= 1
        if kept:
            assert abs(kept[0][1]) == max(abs(w) for _, w in full)
    pruned = Perceptron.fit(_data(), CLASSES, VOCAB, epochs=3, prune=10.0)
    assert len(pruned.cls) == 0


def test_a_weighted_example_moves_the_weights_by_its_weight():
    light = Perceptron.fit([([VOCAB["税"]], "renshe", 1.0)] + _data(1), CLASSES, VOCAB, epochs=1, prune=0.0, seed=1)
    heavy = Perceptron.fit([([VOCAB["税"]], "renshe", 50.0)] + _data(1), CLASSES, VOCAB, epochs=1, prune=0.0, seed=1)
    assert _scores(heavy, ["税"])[1] > _scores(light, ["税"])[1]


def test_department_slots_add_the_scaled_perceptron_scores(dev_examples):
    model = train(dev_examples)
    clf = Classifier(model=model)
    bound = clf._bound
    text = "开发票的时候税号填错了怎么办"
    feats = text_features(text)
    ld = bound.score(feats).department
    expected = department_scores_apart(model, feats)  # the two models separately
    # the classifier holds the weights as float32: about 1e-7 per feature
    assert all(math.isclose(a, b, rel_tol=0, abs_tol=1e-5) for a, b in zip(ld, expected))
    assert model.department_linear.classes == model.department.classes
    assert len(model.department_linear.cls) > 0


def test_scope_slot_adds_the_scaled_scope_perceptron(dev_examples):
    from nlp.model import SCOPE_OUT

    model = train(dev_examples)
    bound = Classifier(model=model)._bound
    feats = text_features("能不能找个熟人把罚款免了")
    oos = bound.score(feats).oos
    # The same log-odds computed from the two models separately.
    nb_scores, _ = model.scope.log_scores(feats)
    out = model.scope.classes.index(SCOPE_OUT)
    expected = nb_scores[out] - nb_scores[1 - out]
    perceptron = 0.0
    for f in feats:
        i = model.scope.vocab.get(f)
        if i is not None:
            for c, w in model.scope_linear.entry_at(i):
                perceptron += w if c == out else -w
    assert perceptron != 0.0  # the text has features the perceptron weighs
    expected += model.params["scope_linear_weight"] * perceptron
    assert math.isclose(oos, expected, rel_tol=0, abs_tol=1e-4)
    assert model.scope_linear.classes == model.scope.classes

"""Helpers' corrections measurably fix a class of mistakes.

Policy choice for the test: EV charging posts (充电桩) go to 区发改委 (energy infrastructure
planning). The shipped model sends them to 区城管委 through the utilities category. Twelve
corrections are in data/charging_corrections.jsonl; data/charging_heldout.jsonl holds ten *different*
texts of the same kind that are never trained on.
"""

from __future__ import annotations

import pytest

from nlp import Classifier, load_examples, train
from nlp.evaluation import evaluate
from nlp.paths import TRAIN_PATH
from tests.nlp.conftest import DATA


@pytest.fixture(scope="module")
def base_examples():
    return load_examples(TRAIN_PATH)


@pytest.fixture(scope="module")
def corrections():
    return load_examples(DATA / "charging_corrections.jsonl")


@pytest.fixture(scope="module")
def heldout():
    examples = load_examples(DATA / "charging_heldout.jsonl")
    return examples


def _accuracy(model, examples) -> float:
    clf = Classifier(model=model)
    return sum(clf.classify(e.text).department == e.department for e in examples) / len(examples)


def test_heldout_texts_differ_from_corrections(corrections, heldout):
    assert not {e.text for e in corrections} & {e.text for e in heldout}


def test_corrections_fix_charging_post_routing(base_examples, corrections, heldout, dev_examples):
    before = train(base_examples)
    assert _accuracy(before, heldout) <= 0.2

    after = train(base_examples, corrections=corrections[:8])
    assert _accuracy(after, heldout) >= 0.7

    # ...without breaking the rest: department accuracy on the dev set moves by at most 3 points.
    dev_before = evaluate(Classifier(model=before), dev_examples).department_top1
    dev_after = evaluate(Classifier(model=after), dev_examples).department_top1
    assert dev_after >= dev_before - 0.03


def test_more_corrections_help_more(base_examples, corrections, heldout):
    few = _accuracy(train(base_examples, corrections=corrections[:2]), heldout)
    many = _accuracy(train(base_examples, corrections=corrections), heldout)
    assert many >= few and many >= 0.7

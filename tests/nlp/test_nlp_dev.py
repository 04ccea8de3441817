"""Regression guard on messages written for these tests (tests/nlp/data/dev.jsonl, never trained on)."""

from __future__ import annotations

from nlp.evaluation import evaluate


def test_dev_set_accuracy(classifier, dev_examples):
    report = evaluate(classifier, dev_examples)
    assert report.department_top1 >= 0.88
    assert report.department_top3 >= 0.94
    # The operating point: recall first, precision at least 90% (the threshold of the
    # model-only verdict is chosen by cross-validation on train; such verdicts need review).
    assert report.oos_recall == 1.0 and report.oos_precision >= 0.9
    # This set labels plain questions (要办什么手续, 什么时候截止, 在哪办) as department; the label guide,
    # after the policy's "简单易办…能在助企服务员能力范围解决的", sends them to the street channel, and
    # the writers of train.jsonl did so. The learned channel follows them: 82.8% on
    # unseen writers against 74.8% for the rule, and 81.6% here against the rule's 92.2%.
    assert report.channel_accuracy >= 0.8


def test_colloquial_messages(classifier):
    """174 short, colloquial messages (tests/nlp/data/colloquial.jsonl), like the public writes."""
    from nlp import load_examples
    from tests.nlp.conftest import DATA

    report = evaluate(classifier, load_examples(DATA / "colloquial.jsonl"))
    assert report.n >= 170
    assert report.department_top1 >= 0.9
    assert report.department_top3 >= 0.97

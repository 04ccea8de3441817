"""The channel rule's cues, which the channel perceptron weighs as features."""

from __future__ import annotations

from nlp import Classifier
from nlp.channel import CUE_FEATURES, ChannelRule
from nlp.model import features, load_examples
from nlp.paths import TRAIN_PATH
from nlp.taxonomy import load_taxonomy
from nlp.tokenizer import normalize, tokenize


def _cues(text: str) -> tuple[str, list[str]]:
    clf = Classifier(model_path=None)
    t = normalize(text)
    rules = clf.matcher.match(tokenize(t))
    return ChannelRule(load_taxonomy()).cues(t, rules.scores, rules.alternatives)


def test_cues_and_verdict():
    assert _cues("公司要从滨海新区迁过来") == ("city", ["c:city", "c:rule_city"])
    assert _cues("楼道里堆的杂物挡着我们后门") == ("street", ["c:street", "c:rule_street"])
    # a problem cue keeps a neighbourhood matter out of the street channel
    verdict, cues = _cues("社区说的事一直没下文")
    assert verdict == "department" and "c:street" in cues and "c:problem" in cues


def test_cue_features_never_collide_with_text_features():
    texts = [e.text for e in load_examples(TRAIN_PATH)][:2000] + ["c:city", "C：rule_city", "c：street 楼道"]
    cues = set(CUE_FEATURES)
    for text in texts:
        t = normalize(text)
        assert not cues & features(tokenize(t), t), text


def test_the_model_weighs_the_cues(classifier):
    channel = classifier.model.channel_linear
    vocab = channel.vocab
    weighted = {f for f in CUE_FEATURES if channel.entry_at(vocab[f])}
    assert {"c:rule_city", "c:rule_district", "c:rule_street"} <= weighted

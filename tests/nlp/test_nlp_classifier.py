"""Routing of ordinary needs, channel rules, and the shape of a Classification."""

from __future__ import annotations

import dataclasses

import pytest

import nlp
from nlp import Classification, Classifier
from nlp.classifier import MAX_TEXT_CHARS
from nlp.model import load_examples
from nlp.paths import TRAIN_PATH
from nlp.tokenizer import normalize, tokenize

from .scoring import department_scores_apart

ROUTES = [
    ("稳岗补贴怎么申请", "subsidy", "renshe"),
    ("增值税专用发票开错了怎么红冲", "tax", "shuiwu"),
    ("想把门头牌匾换个新的，要审批吗", "city_management", "chengguan"),
    ("饭店后厨的消防通道被杂物堵了，消防检查要罚款", "safety", "xiaofang"),
    ("车间要做危险化学品安全生产培训", "safety", "yingji"),
    ("送货的货车限行，通行证去哪办", "traffic", "gongan"),
    ("店门口停车位太少，顾客停车难", "traffic", "chengguan"),
    ("网上有人造谣我们店，舆情怎么处理", "data_network", "wangxin"),
    ("想申请使用政府公共数据做产品", "data_network", "shuju"),
    ("想加入区里的商会，有什么条件", "legal", "gongshanglian"),
    ("合同对方违约，想找律师咨询起诉", "legal", "sifa"),
    ("高新技术企业认定的材料怎么准备", "tech", "keji"),
    ("食品经营许可证和营业执照能一起办吗", "registration", "zhengwu"),
    ("排污许可证要怎么申请", "environment", "shengtai"),
    ("政府采购的尾款一直没付", "government_payment", "caizheng"),
    ("想开个养老院，备案要什么材料", "health", "minzheng"),
]


@pytest.mark.parametrize(("text", "category", "department"), ROUTES)
def test_clear_needs_are_routed(classifier, text, category, department):
    result = classifier.classify(text)
    assert (result.category, result.department) == (category, department)
    assert result.in_scope and result.reason is None
    assert result.keywords


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("公司从河北廊坊整体迁到南开，跨省迁移怎么对接", "city"),
        ("这个问题需要天津市市场监管委来定，区里能帮忙反映吗", "city"),
        ("新业态没有主管部门，问了几个地方都说不归他们管", "city"),
        ("可以通过津产发平台提交诉求吗", "city"),
        ("消防、环保、城管都来查，要求还不一样，能不能一起协调", "district"),
        ("几个部门互相推诿，谁也不管", "district"),
        ("想开个协调会，把规划和施工的问题一起说清楚", "district"),
        ("楼道里邻居堆满杂物，我们的货送不上来", "street"),
        ("门前三包责任书要签吗", "street"),
        ("社区能不能帮我们开个场地使用证明", "street"),
        ("今年的企业所得税汇算清缴什么时候截止", "department"),
        ("高新技术企业认定的材料怎么准备", "department"),
    ],
)
def test_channel_rule(text, channel):
    # The documented rule (taxonomy.toml [channel]): the channel when no model is loaded, and the
    # cues and verdict the channel perceptron weighs.
    assert Classifier(model_path=None).classify(text).channel == channel


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("公司从河北廊坊整体迁到南开，跨省迁移怎么对接", "city"),
        ("新业态没有主管部门，问了几个地方都说不归他们管", "city"),
        ("消防、环保、城管都来查，要求还不一样，能不能一起协调", "district"),
        ("几个部门互相推诿，谁也不管", "district"),
        ("楼道里邻居堆满杂物，我们的货送不上来", "street"),
        ("门前三包责任书要签吗", "street"),
        ("高新技术企业认定的材料怎么准备", "department"),
        ("申请了两个月的食品经营许可一直没批下来", "department"),  # a problem: no street matter
    ],
)
def test_learned_channel_follows_clear_cues(classifier, text, channel):
    assert classifier.classify(text).channel == channel


def test_classification_shape(classifier):
    result = classifier.classify("稳岗补贴怎么申请")
    assert isinstance(result, Classification)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.category = "tax"  # type: ignore[misc]
    doc = result.to_json()
    assert {"category", "department", "channel", "in_scope", "reason", "confidence", "keywords"} <= set(doc)
    assert 0.0 <= result.confidence <= 1.0
    assert 1 <= len(result.top_departments) <= 3
    scores = [s for _, s in result.top_departments]
    assert scores == sorted(scores, reverse=True)
    assert result.top_departments[0][0] == result.department
    assert result.department_name == "区人社局"
    assert result.channel_name and "部门直通" in result.channel_name
    assert "区人社局" in result.summary and "区人社局" in result.reason_text


@pytest.mark.parametrize("text", ["嗯嗯嗯", "hello", "在吗在吗", "。。。"])
def test_unrecognised_text_needs_review(classifier, text):
    result = classifier.classify(text)
    assert result.needs_review
    assert result.confidence < 0.7
    assert "需服务员研判" in result.summary and "需服务员研判" in result.reason_text
    assert result.category is not None  # still the best guess


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text(classifier, text):
    result = classifier.classify(text)
    assert result.needs_review and result.category is None and result.in_scope


def test_very_long_text_is_cut_and_classified(classifier):
    result = classifier.classify("我们想申请稳岗补贴。" + "啊" * 100_000)
    assert result.department == "renshe"
    assert MAX_TEXT_CHARS == 2000


def test_module_level_classify_uses_one_default_classifier():
    assert nlp.default_classifier() is nlp.default_classifier()
    assert nlp.classify("稳岗补贴怎么申请").department == "renshe"


def test_default_classifier_can_use_a_retrained_model(tmp_path, dev_examples):
    path = tmp_path / "retrained.json"
    model = nlp.train(dev_examples)
    model.save(path)
    try:
        nlp.set_default_model_path(path)
        assert nlp.classify("稳岗补贴怎么申请").model_hash == model.data_hash
    finally:
        nlp.set_default_model_path(None)
    assert nlp.classify("稳岗补贴怎么申请").model_hash != model.data_hash


def test_rules_alone_work_without_a_model():
    rules_only = Classifier(model_path=None)
    assert rules_only.model is None
    result = rules_only.classify("增值税专用发票开错了怎么红冲")
    assert result.department == "shuiwu" and result.model_hash is None


def test_missing_model_file_falls_back_to_rules(tmp_path):
    clf = Classifier(model_path=tmp_path / "absent.json")
    assert clf.model is None
    assert clf.classify("稳岗补贴怎么申请").department == "renshe"


def _with_made_up_misuse(dev_examples):
    """dev examples plus requests, in an invented wording no screening rule knows, labelled out of
    scope: only the scope model can learn them."""
    from nlp import LabeledExample

    asks = ["蓝色小本子再弄几本", "蓝色小本子能不能多给几本", "帮我搞几本蓝色小本子", "蓝色小本子还有货吗", "那种蓝色小本子弄五本"]
    extra = [LabeledExample(t + tail, "out_of_scope", in_scope=False, reason="illegal")
             for t in asks for tail in ("", "，价钱好说", "，老规矩")]
    return list(dev_examples) + extra


def test_scope_model_alone_refuses_with_review(dev_examples):
    clf = Classifier(model=nlp.train(_with_made_up_misuse(dev_examples)))
    result = clf.classify("蓝色小本子给我弄三本")
    assert not result.in_scope and result.reason == "illegal"
    assert result.needs_review and result.keywords == ()  # no rule matched: the helper confirms
    assert "模型判断" in result.reason_text and result.summary.startswith("【需服务员研判】")


def test_keywords_of_a_category_weigh_against_the_scope_model(dev_examples):
    clf = Classifier(model=nlp.train(_with_made_up_misuse(dev_examples)))
    bound = clf._bound
    analysis = clf._analyse("蓝色小本子，营业执照变更登记怎么办理", bound)
    ignore_keywords = {**bound.params, "oos_rule_weight": 0.0}
    weigh_keywords = {**bound.params, "oos_rule_weight": 5.0}
    assert not clf._decide(analysis, bound, ignore_keywords).in_scope
    result = clf._decide(analysis, bound, weigh_keywords)
    assert result.in_scope and result.department == "zhengwu"


def test_unknown_features_score_nothing(dev_examples):
    import random

    clf = Classifier(model=nlp.train(dev_examples))
    bound = clf._bound
    rng = random.Random(7)
    vocab = bound._vocab
    unknown = set()
    while len(unknown) < 40:  # hostile input: characters the model never saw
        ch = chr(rng.randrange(0x4E00, 0x9FA5))
        if ch not in vocab:
            unknown.add(ch)
    scores = bound.score(unknown)
    empty = bound.score(set())
    assert scores.known == 0 and scores == empty
    assert clf.classify("稳岗补贴怎么申请").department == "renshe"


def test_counts_of_known_features_do_not_spill_between_models():
    # A text at the length limit has well over a thousand known features; the per-model counts are
    # packed into one integer and must stay apart.
    from nlp.model import features

    clf = nlp.default_classifier()
    bound = clf._bound
    lines = [e.text for e in load_examples(TRAIN_PATH)]
    text = normalize("".join(lines))[: MAX_TEXT_CHARS]
    feats = features(tokenize(text), text)
    expected = sum(1 for f in feats if f in bound._vocab and bound.model.category.entry_at(bound._vocab[f]))
    assert expected > 1023
    scores = bound.score(feats)
    assert scores.known == expected
    ld = scores.department
    manual = department_scores_apart(bound.model, feats)
    assert ld is not None and max(abs(a - b) for a, b in zip(ld, manual)) < 1e-2

"""The private jieba tokenizer: domain terms stay whole, the global dictionary is untouched."""

from __future__ import annotations

import random

import jieba
import pytest

from nlp.tokenizer import USERDICT_PATH, get_tokenizer, normalize, read_userdict, tokenize

BRIEF_TERMS = [
    "稳岗补贴", "留抵退税", "专精特新", "营业执照", "食品经营许可证", "公积金", "高新技术企业", "社保卡",
    "个体工商户", "统一社会信用代码", "津产发", "12345", "吹哨报到", "占道经营", "门头牌匾", "发票", "增值税",
]
CONTEXTS = ["{}", "我们想咨询一下{}的事情", "请问{}怎么办理", "关于{}，能帮忙问问吗"]


def test_userdict_is_large():
    assert len(read_userdict()) >= 300


@pytest.mark.parametrize("term", BRIEF_TERMS)
@pytest.mark.parametrize("context", CONTEXTS)
def test_brief_terms_stay_whole(term, context):
    assert term in tokenize(normalize(context.format(term)))


def test_every_userdict_term_stays_whole_in_a_plain_sentence():
    broken = [w for w, _ in read_userdict() if w not in tokenize(f"我们想问{w}的事")]
    assert not broken


def test_global_jieba_dictionary_is_not_touched():
    get_tokenizer()
    jieba.dt.check_initialized()
    assert "政企同行" not in jieba.dt.FREQ
    assert "吹哨报到" not in jieba.lcut("吹哨报到", HMM=False)
    assert get_tokenizer() is not jieba.dt


def test_fast_cut_equals_jieba_without_hmm(dev_examples):
    tok = get_tokenizer()
    rnd = random.Random(7)
    alphabet = "的一是在不了有和人这中大为上个我们税务局发票营业执照稳岗补贴ABCabc123 ，。？！\t\n-_.+#&%"
    texts = [e.text for e in dev_examples]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 60))) for _ in range(500)]
    for text in texts:
        for t in (text, normalize(text)):
            assert tokenize(t) == tok.lcut(t, False, False)


def test_normalize_makes_half_width_lower_case():
    assert normalize("  ＡＢＣ１２３，ICP备案？ ") == "abc123,icp备案?"
    assert USERDICT_PATH.is_file()

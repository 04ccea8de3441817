"""The private tokenizer: jieba's tokens exactly, domain terms whole, global dictionaries untouched."""

from __future__ import annotations

import random

import jieba
import pytest
import rjieba

from nlp.model import load_examples
from nlp.paths import TRAIN_PATH
from nlp.tokenizer import _MIN_USER_FREQ, USERDICT_PATH, get_tokenizer, normalize, read_userdict, tokenize

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


def test_global_dictionaries_are_not_touched():
    assert "吹哨报到" in tokenize("吹哨报到")
    assert "吹哨报到" not in jieba.lcut("吹哨报到", HMM=False)
    assert "吹哨报到" not in rjieba.cut("吹哨报到", False)
    assert get_tokenizer() is not rjieba._DEFAULT_JIEBA


@pytest.fixture(scope="module")
def reference() -> jieba.Tokenizer:
    """jieba itself with the same user dictionary, added the same way."""
    tok = jieba.Tokenizer()
    tok.initialize()
    for word, freq in read_userdict():
        if freq is None:
            freq = max(tok.suggest_freq(word, False), _MIN_USER_FREQ)
        tok.add_word(word, freq)
    return tok


def test_tokens_equal_jieba_without_hmm(reference, dev_examples):
    rnd = random.Random(7)
    alphabet = "的一是在不了有和人这中大为上个我们税务局发票营业执照稳岗补贴ABCabc123 ，。？！\t\n-_.+#&%"
    texts = [e.text for e in dev_examples] + [e.text for e in load_examples(TRAIN_PATH)]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 60))) for _ in range(500)]
    texts += ["", " ", "😀😀稳岗补贴", "a" * 50 + "稳岗", "1,234.5元", "e-mail: a@b.com 营业执照"]
    for text in texts:
        for t in (text, normalize(text)):
            assert tokenize(t) == reference.lcut(t, False, False), t


def test_normalize_makes_half_width_lower_case():
    assert normalize("  ＡＢＣ１２３，ICP备案？ ") == "abc123,icp备案?"
    assert USERDICT_PATH.is_file()

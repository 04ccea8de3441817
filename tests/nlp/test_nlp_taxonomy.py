"""The taxonomy data file: the 24 categories of the brief, department codes that exist, sane rules."""

from __future__ import annotations

import tomllib

import pytest

from nlp.paths import DEPARTMENTS_PATH
from nlp.taxonomy import TAXONOMY_PATH, load_departments, load_taxonomy

EXPECTED = {
    "registration": ("市场主体登记与许可", "zhengwu"),
    "tax": ("税费", "shuiwu"),
    "social_security": ("社保与用工", "renshe"),
    "talent": ("人才招聘", "renshe"),
    "subsidy": ("惠企政策与补贴", "fagai"),
    "finance": ("融资信贷", "jinrong"),
    "tech": ("科技创新与资质认定", "keji"),
    "premises": ("房屋租赁与场地", "zhujian"),
    "city_management": ("城市管理与占道", "chengguan"),
    "utilities": ("水电气热", "chengguan"),
    "safety": ("消防与安全生产", "yingji"),
    "market_regulation": ("食品药品与市场监管", "shichang"),
    "ip": ("知识产权", "shichang"),
    "statistics": ("统计报表", "tongji"),
    "data_network": ("数据与网络", "shuju"),
    "construction": ("建设工程与规划", "zhujian"),
    "commerce": ("商贸与促消费", "shangwu"),
    "traffic": ("交通与停车", "chengguan"),
    "environment": ("环境保护", "shengtai"),
    "education": ("教育培训", "jiaoyu"),
    "health": ("卫生健康", "weijian"),
    "legal": ("法律与纠纷", "sifa"),
    "culture_tourism": ("文化旅游", "wenlv"),
    "government_payment": ("政府采购与账款", "caizheng"),
}


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_exactly_the_24_categories_with_names_and_default_departments(taxonomy):
    assert len(taxonomy.categories) == 24
    assert {c.id: (c.name, c.department) for c in taxonomy.categories} == EXPECTED


def test_every_department_code_exists_in_config(taxonomy):
    with open(DEPARTMENTS_PATH, "rb") as f:
        codes = {d["code"] for d in tomllib.load(f)["department"]}
    used = taxonomy.department_codes()
    assert used <= codes, used - codes
    assert set(load_departments()) == codes


def test_alternative_departments_of_the_brief(taxonomy):
    def alts(cid):
        return {a.department: set(a.keywords) for a in taxonomy.category(cid).alternatives}

    assert "消防" in alts("safety")["xiaofang"]
    assert {"交警", "违章"} <= alts("traffic")["gongan"]
    assert {"网络安全", "舆情", "网站备案"} & alts("data_network")["wangxin"]
    assert {"商会", "民营企业维权"} <= alts("legal")["gongshanglian"]


def test_keywords_are_plentiful_and_positive(taxonomy):
    for cat in taxonomy.categories:
        assert len(cat.keywords) >= 30, cat.id
        assert all(w > 0 for w in cat.keywords.values())
        assert all(k == k.strip().lower() and k for k in cat.keywords)


def test_weight_suffix_overrides_the_tier(tmp_path):
    text = TAXONOMY_PATH.read_text(encoding="utf-8")
    assert '"投诉:1"' in text  # the file uses the suffix; the loader must honour it
    taxonomy = load_taxonomy()
    assert taxonomy.category("market_regulation").keywords["投诉"] == 1.0
    assert taxonomy.category("tax").keywords["增值税"] == 3.0


def test_channel_rules_are_documented_and_compiled(taxonomy):
    text = TAXONOMY_PATH.read_text(encoding="utf-8")
    for channel in ("city", "district", "street", "department"):
        assert channel in text
    rules = taxonomy.channel
    assert rules.city.search("这个要找天津市市场监管委")  # a regex entry
    assert rules.city.search("要去滨海新区办")  # a literal entry
    assert not rules.city.search("稳岗补贴怎么申请")
    assert rules.district.search("几个部门互相推诿")
    assert rules.street.search("楼道里邻居堆满杂物")
    assert rules.district_agencies >= 2

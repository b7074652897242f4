"""Word lists for people, companies and free text, and vectorised builders from them.

Mainland-China rows get Chinese names (with pinyin for e-mail addresses) and Chinese company
names; other regions get English ones. Names need not be unique; ids are.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from salesplan.demo.timeline import BoolArray, IntArray

ZH_SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("罗", "luo"), ("高", "gao"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
)  # fmt: skip
ZH_GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei"),
    ("强", "qiang"), ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("军", "jun"), ("杰", "jie"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("佳怡", "jiayi"), ("子涵", "zihan"), ("浩然", "haoran"), ("欣怡", "xinyi"), ("宇航", "yuhang"),
    ("思远", "siyuan"), ("雨桐", "yutong"), ("俊杰", "junjie"), ("晓东", "xiaodong"),
    ("丽华", "lihua"),
)  # fmt: skip
EN_FIRST: tuple[str, ...] = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Susan", "Richard", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
    "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Sophie", "Lucas", "Emma", "Noah", "Olivia",
    "Hiroshi", "Yuki", "Priya", "Arjun", "Min-jun", "Siti", "Lukas", "Chloe", "Omar", "Layla",
)  # fmt: skip
EN_LAST: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Lee", "Thompson", "White",
    "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Lopez", "Hill", "Green",
    "Tanaka", "Sato", "Kumar", "Sharma", "Kim", "Park", "Tan", "Wong", "Müller", "Schmidt",
)  # fmt: skip

ZH_CITIES: tuple[str, ...] = (
    "上海", "北京", "深圳", "广州", "杭州", "成都", "武汉", "南京", "苏州", "重庆", "西安", "天津",
    "青岛", "厦门", "长沙", "合肥", "宁波", "郑州", "济南", "大连",
)  # fmt: skip
ZH_WORDS: tuple[str, ...] = (
    "华信", "恒通", "瑞达", "鼎盛", "博远", "智联", "天成", "金泰", "宏图", "新锐", "永安", "汇丰",
    "嘉禾", "中科", "东方", "长城", "星辰", "海纳", "云帆", "正大", "卓越", "启明", "泰和", "远景",
    "明德", "润泽", "凯达", "万象", "晨光", "立信", "宝丰", "通达", "盛世", "安泰", "祥瑞", "同创",
)  # fmt: skip
ZH_SUFFIXES: tuple[str, ...] = ("有限公司", "股份有限公司", "集团有限公司")
EN_WORDS: tuple[str, ...] = (
    "Northwind", "Bluewater", "Summit", "Crescent", "Atlas", "Pioneer", "Evergreen", "Silverline",
    "Redwood", "Harbor", "Keystone", "Lighthouse", "Meridian", "Orion", "Pinnacle", "Quantum",
    "Riverbend", "Sterling", "Trident", "Vanguard", "Willow", "Zenith", "Horizon", "Cobalt",
    "Granite", "Falcon", "Aurora", "Beacon", "Cascade", "Delta", "Ember", "Fjord",
)  # fmt: skip
EN_SUFFIXES: tuple[str, ...] = ("Ltd", "Inc", "Group", "Holdings", "Co", "Pte Ltd", "GmbH", "LLC")

INDUSTRY_WORDS: dict[str, tuple[str, str]] = {
    "software": ("软件", "Software"),
    "manufacturing": ("制造", "Manufacturing"),
    "retail": ("商贸", "Retail"),
    "financial_services": ("金融", "Financial"),
    "healthcare": ("医疗", "Health"),
    "education": ("教育", "Learning"),
    "logistics": ("物流", "Logistics"),
    "energy": ("能源", "Energy"),
    "real_estate": ("置业", "Properties"),
    "media": ("传媒", "Media"),
    "professional_services": ("咨询", "Consulting"),
    "government": ("信息", "Public Systems"),
}

NEXT_STEPS_EN: tuple[str, ...] = (
    "Book discovery call", "Confirm budget and timeline", "Map stakeholders",
    "Run product demo", "Send proposal", "Negotiate contract terms",
)  # fmt: skip
NEXT_STEPS_ZH: tuple[str, ...] = (
    "预约初次沟通", "确认预算与时间表", "梳理决策链",
    "安排产品演示", "发送报价方案", "合同条款谈判",
)  # fmt: skip


def serial_ids(prefix: str, n: int, width: int) -> pl.Series:
    """`prefix` + 1-based serial number zero-padded to `width` digits: OPP-0000001, ..."""
    number = pl.int_range(1, n + 1, dtype=pl.Int64).cast(pl.String).str.zfill(width)
    return pl.select(pl.format(prefix + "{}", number).alias("id")).to_series()


def pick(words: tuple[str, ...], idx: IntArray) -> pl.Series:
    """`words[idx]` as a string series, without a Python loop over rows."""
    return pl.Series(list(words), dtype=pl.String).gather(idx)


def person_names(rng: np.random.Generator, zh: BoolArray) -> tuple[pl.Series, pl.Series]:
    """(display name, e-mail local part) per person; Chinese names where `zh`."""
    n = len(zh)
    sur = rng.integers(0, len(ZH_SURNAMES), n)
    giv = rng.integers(0, len(ZH_GIVEN), n)
    first = rng.integers(0, len(EN_FIRST), n)
    last = rng.integers(0, len(EN_LAST), n)
    zh_name = pick(tuple(s for s, _ in ZH_SURNAMES), sur) + pick(tuple(g for g, _ in ZH_GIVEN), giv)
    zh_mail = (
        pick(tuple(p for _, p in ZH_GIVEN), giv) + "." + pick(tuple(p for _, p in ZH_SURNAMES), sur)
    )
    en_name = pick(EN_FIRST, first) + " " + pick(EN_LAST, last)
    en_mail = (pick(EN_FIRST, first) + "." + pick(EN_LAST, last)).str.to_lowercase()
    en_mail = en_mail.str.replace_all("ü", "ue").str.replace_all("-", "")
    mask = pl.Series(zh)
    name = zh_name.zip_with(mask, en_name)
    mail = zh_mail.zip_with(mask, en_mail)
    return name, mail


def company_names(
    rng: np.random.Generator, zh: BoolArray, industry_idx: IntArray, industries: tuple[str, ...]
) -> pl.Series:
    """Plausible company names: 上海华信软件有限公司 / Northwind Software Ltd."""
    n = len(zh)
    zh_ind = tuple(INDUSTRY_WORDS.get(k, ("科技", "Technologies"))[0] for k in industries)
    en_ind = tuple(INDUSTRY_WORDS.get(k, ("科技", "Technologies"))[1] for k in industries)
    zh_name = (
        pick(ZH_CITIES, rng.integers(0, len(ZH_CITIES), n))
        + pick(ZH_WORDS, rng.integers(0, len(ZH_WORDS), n))
        + pick(zh_ind, industry_idx)
        + pick(ZH_SUFFIXES, rng.integers(0, len(ZH_SUFFIXES), n))
    )
    en_name = (
        pick(EN_WORDS, rng.integers(0, len(EN_WORDS), n))
        + " "
        + pick(en_ind, industry_idx)
        + " "
        + pick(EN_SUFFIXES, rng.integers(0, len(EN_SUFFIXES), n))
    )
    return zh_name.zip_with(pl.Series(zh), en_name)

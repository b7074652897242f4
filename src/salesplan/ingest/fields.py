"""The importable fields of each record kind: name, canonical column, how the text is read.

Field names are what a mapping file and the docs use (`amount`, `close_date`); money fields
land in the `_minor` canonical column. A few *helper* fields (`is_won`, `is_closed`,
`active`, `currency` of a stage event) are read only to derive canonical values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from salesplan.domain.records import RecordKind


class FieldType(StrEnum):
    ID = "id"
    TEXT = "text"
    DATE = "date"
    INSTANT = "instant"
    MONEY = "money"
    CURRENCY = "currency"
    INTEGER = "integer"
    FRACTION = "fraction"
    BOOL = "bool"
    CHOICE = "choice"
    STAGE = "stage"
    RATE = "rate"


def norm(text: str) -> str:
    """Case-, space- and punctuation-insensitive form used to compare headers and labels."""
    return re.sub(r"[\W_]+", "", text.casefold())


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: FieldType
    column: str | None = None  # canonical column; None for helper fields
    choices: dict[str, str] = field(default_factory=dict)  # norm(label) -> canonical value
    required: bool = False

    @property
    def target(self) -> str | None:
        return self.column


def _choices(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value, labels in table.items():
        out[norm(value)] = value
        for label in labels:
            out[norm(label)] = value
    return out


STATUS_CHOICES: Final = _choices(
    {
        # Pipedrive's localised exports say Offen/Gewonnen/Verloren, Gagnée/Perdue…
        "open": (
            *("进行中", "跟进中", "未关闭", "in progress", "active", "pending", "打开"),
            *("offen", "ouverte", "ouvert", "abierto"),
        ),
        "won": (
            *("closed won", "win", "赢单", "赢", "已赢单", "成交", "已成交", "签约"),
            *("gewonnen", "gagnée", "gagné", "ganado"),
        ),
        "lost": (
            *("closed lost", "lose", "输单", "输", "丢单", "已输单", "失败", "流失", "已失败"),
            *("verloren", "perdue", "perdu", "perdido"),
        ),
    }
)
FORECAST_CHOICES: Final = _choices(
    {
        "pipeline": ("储备", "管道", "pipeline"),
        "best_case": ("best case", "upside", "乐观", "最佳情况"),
        "commit": ("most likely", "承诺", "确定", "把握"),
        "closed": ("已关闭", "已成交"),
        "omitted": ("not forecasted", "excluded", "忽略", "排除", "不预测"),
    }
)
TYPE_CHOICES: Final = _choices(
    {
        "new": ("new business", "new customer", "new logo", "新客户", "新签", "新业务", "新购"),
        "expansion": (
            "existing business",
            "existing customer - upgrade",
            "upsell",
            "upgrade",
            "cross-sell",
            "add-on",
            "增购",
            "扩展",
            "追加",
            "老客户",
        ),
        "renewal": (
            "existing customer - replacement",
            "existing customer - downgrade",
            "续约",
            "续费",
            "续签",
        ),
    }
)
LEAD_STATUS_CHOICES: Final = _choices(
    {
        "new": ("open", "open - not contacted", "working - contacted", "新线索", "新建", "未处理"),
        "mql": ("marketing qualified lead", "marketing qualified", "市场合格", "市场认可"),
        "sql": ("sales qualified lead", "sales qualified", "qualified", "销售合格", "已确认"),
        "converted": ("closed - converted", "已转化", "转化", "已转商机"),
        "disqualified": (
            "closed - not converted",
            "unqualified",
            "junk",
            "无效",
            "不合格",
            "已放弃",
        ),
    }
)
ACTIVITY_CHOICES: Final = _choices(
    {
        "call": ("phone call", "phone", "电话", "通话"),
        "email": ("e-mail", "mail", "邮件"),
        "meeting": ("visit", "会议", "拜访", "面谈"),
        "demo": ("演示", "产品演示"),
        "social": ("linkedin", "wechat", "微信", "社交"),
        "event": ("webinar", "活动", "展会"),
        "other": ("task", "note", "其他", "任务"),
    }
)
ROLE_CHOICES: Final = _choices(
    {
        "sdr": ("sales development representative", "电销"),
        "bdr": ("business development representative", "商务拓展"),
        "ae": ("account executive", "sales", "销售", "销售代表"),
        "am": ("account manager", "客户经理"),
        "csm": ("customer success manager", "customer success", "客户成功"),
        "manager": ("sales manager", "经理", "销售经理", "主管", "销售总监"),
        "ops": ("sales ops", "revops", "sales operations", "运营", "销售运营"),
    }
)

F = FieldSpec
T = FieldType


def _text(*names: str) -> list[FieldSpec]:
    return [F(n, T.TEXT, n) for n in names]


FIELDS: Final[dict[RecordKind, tuple[FieldSpec, ...]]] = {
    RecordKind.OPPORTUNITY: (
        F("id", T.ID, "id", required=True),
        F("name", T.TEXT, "name"),
        F("account_id", T.ID, "account_id"),
        F("owner_id", T.ID, "owner_id"),
        F("pipeline", T.TEXT, "pipeline"),
        F("amount", T.MONEY, "amount_minor"),
        F("cost", T.MONEY, "cost_minor"),
        F("currency", T.CURRENCY, "currency"),
        F("created_on", T.DATE, "created_on"),
        F("close_date", T.DATE, "close_date"),
        F("closed_on", T.DATE, "closed_on"),
        F("stage", T.STAGE, "stage"),
        F("status", T.CHOICE, "status", STATUS_CHOICES),
        F("probability", T.FRACTION, "probability"),
        F("forecast_category", T.CHOICE, "forecast_category", FORECAST_CHOICES),
        F("type", T.CHOICE, "type", TYPE_CHOICES),
        *_text("source", "product", "segment", "region", "industry", "loss_reason"),
        *_text("competitor", "promotion"),
        F("discount_pct", T.FRACTION, "discount_pct"),
        F("next_step", T.TEXT, "next_step"),
        F("next_step_date", T.DATE, "next_step_date"),
        F("last_activity_on", T.DATE, "last_activity_on"),
        F("is_won", T.BOOL),
        F("is_closed", T.BOOL),
        F("active", T.BOOL),
    ),
    RecordKind.STAGE_EVENT: (
        F("opportunity_id", T.ID, "opportunity_id", required=True),
        F("stage", T.STAGE, "stage", required=True),
        F("entered_at", T.INSTANT, "entered_at", required=True),
        F("amount", T.MONEY, "amount_minor"),
        F("currency", T.CURRENCY),
        F("close_date", T.DATE, "close_date"),
    ),
    RecordKind.ACCOUNT: (
        F("id", T.ID, "id", required=True),
        F("name", T.TEXT, "name"),
        F("industry", T.TEXT, "industry"),
        F("employees", T.INTEGER, "employees"),
        F("annual_revenue", T.MONEY, "annual_revenue_minor"),
        F("currency", T.CURRENCY, "currency"),
        *_text("country", "region", "segment"),
        F("customer_since", T.DATE, "customer_since"),
        F("churned_on", T.DATE, "churned_on"),
    ),
    RecordKind.LEAD: (
        F("id", T.ID, "id", required=True),
        F("created_on", T.DATE, "created_on"),
        F("source", T.TEXT, "source"),
        F("status", T.CHOICE, "status", LEAD_STATUS_CHOICES),
        F("mql_on", T.DATE, "mql_on"),
        F("sql_on", T.DATE, "sql_on"),
        F("converted_on", T.DATE, "converted_on"),
        F("opportunity_id", T.ID, "opportunity_id"),
        F("owner_id", T.ID, "owner_id"),
        *_text("segment", "region", "industry", "company_size", "disqualify_reason"),
    ),
    RecordKind.ACTIVITY: (
        F("id", T.ID, "id", required=True),
        F("type", T.CHOICE, "type", ACTIVITY_CHOICES),
        F("occurred_at", T.INSTANT, "occurred_at"),
        F("owner_id", T.ID, "owner_id"),
        F("opportunity_id", T.ID, "opportunity_id"),
        F("lead_id", T.ID, "lead_id"),
        F("account_id", T.ID, "account_id"),
        F("outcome", T.TEXT, "outcome"),
    ),
    RecordKind.TEAM_MEMBER: (
        F("id", T.ID, "id", required=True),
        F("name", T.TEXT, "name"),
        F("email", T.TEXT, "email"),
        F("role", T.CHOICE, "role", ROLE_CHOICES),
        F("manager_id", T.ID, "manager_id"),
        *_text("team", "region", "segment"),
        F("start_date", T.DATE, "start_date"),
        F("end_date", T.DATE, "end_date"),
        F("annual_quota", T.MONEY, "annual_quota_minor"),
        F("ramp_months", T.INTEGER, "ramp_months"),
        F("annual_cost", T.MONEY, "annual_cost_minor"),
        F("currency", T.CURRENCY, "currency"),
    ),
    RecordKind.PRODUCT: (
        F("id", T.ID, "id", required=True),
        F("name", T.TEXT, "name"),
        F("family", T.TEXT, "family"),
        F("list_price", T.MONEY, "list_price_minor"),
        F("unit_cost", T.MONEY, "unit_cost_minor"),
        F("currency", T.CURRENCY, "currency"),
    ),
    RecordKind.FX_RATE: (
        F("currency", T.CURRENCY, "currency", required=True),
        F("valid_from", T.DATE, "valid_from", required=True),
        F("rate", T.RATE, "rate", required=True),
    ),
}

KIND_NAMES: Final[dict[str, RecordKind]] = {
    "opportunities": RecordKind.OPPORTUNITY,
    "accounts": RecordKind.ACCOUNT,
    "leads": RecordKind.LEAD,
    "activities": RecordKind.ACTIVITY,
    "stage-history": RecordKind.STAGE_EVENT,
    "team": RecordKind.TEAM_MEMBER,
    "products": RecordKind.PRODUCT,
    "rates": RecordKind.FX_RATE,
}
"""The `salesplan import KIND` names."""


SHORT_TEXT: Final = frozenset(
    {"pipeline", "source", "segment", "region", "industry", "promotion", "country", "company_size"}
)


def max_length(spec: FieldSpec) -> int | None:
    """The longest text the store keeps for a text or id field (None: unlimited)."""
    if spec.type is FieldType.ID or spec.name in SHORT_TEXT:
        return 64
    if spec.type is FieldType.TEXT and spec.name != "next_step":
        return 255
    return None


def field_specs(kind: RecordKind) -> dict[str, FieldSpec]:
    return {f.name: f for f in FIELDS[kind]}

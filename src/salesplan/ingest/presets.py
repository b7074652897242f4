"""Presets: what a CRM's export calls each canonical field, and its default stage list.

Headers are compared case-, space- and punctuation-insensitively (`fields.norm`), so
`Close Date`, `CLOSEDATE` and `close_date` are the same. Every preset also accepts the
canonical field names and the shared English/Chinese synonyms of `SHARED`. The CRM presets
themselves live in `presets_crm`; `detect` picks one from a file's headers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from salesplan.domain.records import DealStatus, RecordKind
from salesplan.domain.stages import DEFAULT_STAGES, Stage, StageList
from salesplan.ingest.fields import FIELDS, norm

K = RecordKind
Synonyms = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class StageDef:
    code: int
    key: str
    label: str
    status: DealStatus
    probability: float
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    label: str
    columns: Mapping[RecordKind, Synonyms] = field(default_factory=dict)
    stages: tuple[StageDef, ...] = ()
    markers: tuple[str, ...] = ()
    """Headers that point strongly at this CRM (count double when detecting)."""
    null_ids: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    history_columns: bool = False
    """Whether `Date entered "<Stage> (<Pipeline>)"` columns are stage history (HubSpot)."""
    lost_when_inactive: bool = False
    """Odoo: an archived (Active = false) opportunity that is not won is lost."""

    def stage_list(self) -> StageList:
        if not self.stages:
            return DEFAULT_STAGES
        return StageList(
            tuple(Stage(s.code, s.key, s.label, s.status, s.probability) for s in self.stages)
        )

    def stage_labels(self) -> dict[str, str]:
        """norm(label or synonym) → stage key, for this preset's stage list."""
        out: dict[str, str] = {}
        for s in self.stages:
            for label in (s.key, s.label, *s.synonyms):
                out.setdefault(norm(label), s.key)
        return out

    def own_headers(self, kind: RecordKind) -> dict[str, str]:
        """norm(header) → field, from this preset's own synonyms only."""
        out: dict[str, str] = {}
        for name, labels in self.columns.get(kind, {}).items():
            for label in labels:
                out.setdefault(norm(label), name)
        return out

    def headers(self, kind: RecordKind) -> list[tuple[str, str]]:
        """(norm(header), field) in priority order: own synonyms, shared ones, field names."""
        out: list[tuple[str, str]] = []
        ignored = {norm(h) for h in self.ignore}
        for table in (self.columns.get(kind, {}), SHARED.get(kind, {})):
            for name, labels in table.items():
                out.extend((norm(label), name) for label in labels)
        out.extend((norm(f.name), f.name) for f in FIELDS[kind])
        return [(h, f) for h, f in out if h not in ignored]


def match_headers(preset: Preset, kind: RecordKind, headers: Sequence[str]) -> dict[str, list[str]]:
    """field → the file's headers that hold it, best first (several are coalesced)."""
    by_norm: dict[str, list[str]] = {}
    for header in headers:
        by_norm.setdefault(norm(header), []).append(header)
    out: dict[str, list[str]] = {}
    taken: set[str] = set()
    for key, name in preset.headers(kind):
        for header in by_norm.get(key, []):
            if header not in taken:
                taken.add(header)
                out.setdefault(name, []).append(header)
    return out


def detect(kind: RecordKind, headers: Iterable[str]) -> tuple[Preset, int]:
    """The CRM preset whose own synonyms and markers match most headers; generic if none
    matches at least two. Canonical field names (`amount`, `Stage`) say nothing about the
    CRM and are not counted; ties go to the earlier preset of `CRM_PRESETS`."""
    canonical = {norm(f.name) for f in FIELDS[kind]}
    names = {norm(h) for h in headers} - canonical
    best: tuple[int, Preset] = (0, GENERIC)
    for preset in all_presets().values():
        if preset is GENERIC:
            continue
        score = len(names & set(preset.own_headers(kind)))
        score += sum(2 for m in preset.markers if norm(m) in names)
        if preset.history_columns and any(n.startswith("dateentered") for n in names):
            score += 2
        if score > best[0]:
            best = (score, preset)
    return (best[1], best[0]) if best[0] >= 2 else (GENERIC, best[0])


def is_known_header(kind: RecordKind) -> set[str]:
    """Every norm(header) any preset knows for `kind` (to find the header row)."""
    known: set[str] = set()
    for preset in all_presets().values():
        known |= {h for h, _ in preset.headers(kind)}
    return known


@cache
def all_presets() -> dict[str, Preset]:
    from salesplan.ingest.presets_crm import CRM_PRESETS

    return {**{p.name: p for p in CRM_PRESETS}, GENERIC.name: GENERIC}


PRESET_NAMES: Final = (
    "salesforce",
    "salesforce-api",
    "hubspot",
    "pipedrive",
    "dynamics",
    "odoo",
    "zoho",
    "zh",
    "generic",
)

S = DealStatus
DEFAULT_STAGE_DEFS: Final = (
    StageDef(10, "prospecting", "Prospecting", S.OPEN, 0.10, ("prospect", "初步接洽")),
    StageDef(20, "qualification", "Qualification", S.OPEN, 0.20, ("qualify", "资格确认")),
    StageDef(30, "needs_analysis", "Needs Analysis", S.OPEN, 0.30, ("需求分析",)),
    StageDef(40, "demo", "Demo", S.OPEN, 0.40, ("演示",)),
    StageDef(50, "proposal", "Proposal/Price Quote", S.OPEN, 0.60, ("proposal", "方案报价")),
    StageDef(60, "negotiation", "Negotiation/Review", S.OPEN, 0.80, ("negotiation", "谈判")),
    StageDef(90, "closed_won", "Closed Won", S.WON, 1.0, ("won", "赢单", "成交")),
    StageDef(91, "closed_lost", "Closed Lost", S.LOST, 0.0, ("lost", "输单", "失败")),
)

SHARED: Final[dict[RecordKind, Synonyms]] = {
    K.OPPORTUNITY: {
        "id": ("opportunity id", "deal id", "商机编号", "商机id", "机会编号"),
        "name": ("opportunity name", "deal name", "商机名称", "机会名称"),
        "account_id": ("account id", "account", "account name", "客户编号", "客户名称", "客户"),
        "owner_id": ("owner", "owner id", "opportunity owner", "负责人", "所有人"),
        "amount": ("amount", "value", "金额", "商机金额"),
        "cost": ("total cost", "cogs", "cost of sales", "成本", "销售成本", "总成本"),
        "close_date": ("close date", "expected close date", "预计成交日期"),
        "created_on": ("created date", "create date", "created", "创建日期", "创建时间"),
        "probability": ("probability (%)", "probability", "赢率"),
    },
    K.STAGE_EVENT: {
        "opportunity_id": ("opportunity id", "deal id", "record id", "商机编号", "商机id"),
        "stage": ("to stage", "stage name", "deal stage", "销售阶段", "阶段"),
        "entered_at": (
            "entered at",
            "created date",
            "changed at",
            "edit date",
            "date",
            "变更时间",
            "进入时间",
            "日期",
        ),
        "amount": ("金额",),
        "close_date": ("预计成交日期",),
        "currency": ("currency iso code", "amount currency", "币种"),
    },
    K.ACCOUNT: {
        "id": ("account id", "company id", "record id", "客户编号", "客户id"),
        "name": ("account name", "company name", "客户名称", "公司名称"),
        "industry": ("行业",),
        "employees": ("number of employees", "employee count", "员工数", "员工人数"),
        "annual_revenue": ("annual revenue", "年收入", "年营业额"),
        "currency": ("currency iso code", "币种"),
        "country": ("billing country", "country/region", "国家"),
        "region": ("区域", "地区"),
        "segment": ("细分市场", "客户分层"),
        "customer_since": ("customer since", "成为客户日期"),
        "churned_on": ("churn date", "churned date", "流失日期"),
    },
    K.LEAD: {
        "id": ("lead id", "record id", "线索编号", "线索id"),
        "created_on": ("created date", "create date", "创建时间", "创建日期"),
        "source": ("lead source", "original source", "线索来源", "来源"),
        "status": ("lead status", "线索状态", "状态"),
        "mql_on": ("mql date", "became a marketing qualified lead date"),
        "sql_on": ("sql date", "became a sales qualified lead date"),
        "converted_on": ("converted date", "转化日期"),
        "opportunity_id": ("converted opportunity id", "商机编号"),
        "owner_id": ("lead owner", "owner", "owner id", "负责人"),
        "industry": ("行业",),
        "company_size": ("employees", "number of employees", "公司规模"),
        "disqualify_reason": ("unqualified reason", "disqualification reason", "无效原因"),
        "region": ("区域",),
    },
    K.ACTIVITY: {
        "id": ("activity id", "task id", "record id", "活动编号"),
        "type": ("activity type", "task subtype", "活动类型", "类型"),
        "occurred_at": ("activity date", "date", "due date", "活动时间", "时间", "日期"),
        "owner_id": ("assigned to", "owner", "owner id", "activity owner", "负责人"),
        "opportunity_id": ("opportunity id", "deal id", "商机编号"),
        "lead_id": ("lead id", "线索编号"),
        "account_id": ("account id", "company id", "客户编号"),
        "outcome": ("result", "call outcome", "结果"),
    },
    K.TEAM_MEMBER: {
        "id": ("user id", "employee id", "工号", "员工编号"),
        "name": ("full name", "姓名"),
        "email": ("e-mail", "邮箱"),
        "role": ("title", "角色", "岗位"),
        "manager_id": ("manager", "manager id", "上级", "经理"),
        "team": ("sales team", "团队"),
        "region": ("区域",),
        "start_date": ("hire date", "入职日期"),
        "end_date": ("termination date", "离职日期"),
        "annual_quota": ("quota", "年度指标", "指标"),
        "ramp_months": ("爬坡期",),
        "annual_cost": ("年度成本",),
        "currency": ("币种",),
    },
    K.PRODUCT: {
        "id": ("product id", "product code", "产品编号"),
        "name": ("product name", "产品名称"),
        "family": ("product family", "产品线"),
        "list_price": ("unit price", "price", "价格", "标价"),
        "unit_cost": ("cost per unit", "单位成本", "单价成本"),
        "currency": ("currency iso code", "币种"),
    },
    K.FX_RATE: {
        "currency": ("currency code", "iso code", "币种", "货币"),
        "valid_from": ("start date", "date", "生效日期", "日期"),
        "rate": ("exchange rate", "conversion rate", "汇率"),
    },
}

GENERIC: Final = Preset(
    name="generic", label="Generic (canonical column names)", stages=DEFAULT_STAGE_DEFS
)

"""The CRM presets: Salesforce (report labels and API names), HubSpot, Odoo, Zoho and Chinese
CRMs / hand-made sheets; Pipedrive (`presets_pipedrive`) and Dynamics 365 (`presets_dynamics`)
have their own modules. Sources: ../shared/docs/DATA.md and the vendors' docs.

Each lists, per record kind, the export headers of every canonical field (the first listed
wins when several are present; the others fill its blanks), and the CRM's default stage
list with which stages mean won and lost.
"""

from __future__ import annotations

from typing import Final

from salesplan.domain.records import DealStatus, RecordKind
from salesplan.ingest.presets import Preset, StageDef
from salesplan.ingest.presets_dynamics import DYNAMICS
from salesplan.ingest.presets_pipedrive import PIPEDRIVE

K = RecordKind
S = DealStatus

SALESFORCE_STAGES: Final = (
    StageDef(10, "prospecting", "Prospecting", S.OPEN, 0.10),
    StageDef(20, "qualification", "Qualification", S.OPEN, 0.10),
    StageDef(30, "needs_analysis", "Needs Analysis", S.OPEN, 0.20),
    StageDef(35, "value_proposition", "Value Proposition", S.OPEN, 0.50),
    StageDef(
        40, "id_decision_makers", "Id. Decision Makers", S.OPEN, 0.60, ("Identify Decision Makers",)
    ),
    StageDef(45, "perception_analysis", "Perception Analysis", S.OPEN, 0.70),
    StageDef(50, "proposal", "Proposal/Price Quote", S.OPEN, 0.75),
    StageDef(60, "negotiation", "Negotiation/Review", S.OPEN, 0.90),
    StageDef(90, "closed_won", "Closed Won", S.WON, 1.0, ("Won",)),
    StageDef(
        91,
        "closed_lost",
        "Closed Lost",
        S.LOST,
        0.0,
        ("Lost", "Closed-Lost to Competition", "Closed Lost to Competition"),
    ),
)

SALESFORCE_HISTORY_REPORT: Final = {
    "opportunity_id": ("Opportunity ID",),
    "stage": ("To Stage", "Stage"),
    "entered_at": ("Last Modified", "Edit Date", "Created Date"),
    "amount": ("Amount",),
    "close_date": ("Close Date",),
    "currency": ("Amount Currency", "Opportunity Currency"),
}

SALESFORCE: Final = Preset(
    name="salesforce",
    label="Salesforce report export",
    columns={
        K.OPPORTUNITY: {
            "id": ("Opportunity ID", "Opportunity ID (18)", "Opportunity 18 Digit ID"),
            "name": ("Opportunity Name",),
            "account_id": ("Account ID", "Account Name"),
            "owner_id": ("Opportunity Owner", "Owner Name", "Owner Full Name"),
            "amount": ("Amount",),
            "currency": ("Amount Currency", "Opportunity Currency", "Currency"),
            "created_on": ("Created Date",),
            "close_date": ("Close Date",),
            "stage": ("Stage",),
            "probability": ("Probability (%)",),
            "forecast_category": ("Forecast Category",),
            "type": ("Type",),
            "source": ("Lead Source",),
            "next_step": ("Next Step",),
            "loss_reason": ("Loss Reason", "Closed Lost Reason", "Reason Lost"),
            "last_activity_on": ("Last Activity",),
            "product": ("Product Name",),
            "is_won": ("Won",),
            "is_closed": ("Closed",),
        },
        K.STAGE_EVENT: SALESFORCE_HISTORY_REPORT,
        K.ACCOUNT: {"employees": ("Employees",), "country": ("Billing Country",)},
    },
    stages=SALESFORCE_STAGES,
    markers=("Opportunity Name", "Opportunity Owner", "Opportunity ID", "Fiscal Period"),
    null_ids=("000000000000000AAA", "000000000000000"),
    ignore=("Fiscal Period", "Age", "Expected Revenue"),
)

SALESFORCE_API: Final = Preset(
    name="salesforce-api",
    label="Salesforce Data Export / Data Loader / API (field names)",
    columns={
        K.OPPORTUNITY: {
            "id": ("Id",),
            "name": ("Name",),
            "account_id": ("AccountId",),
            "owner_id": ("OwnerId",),
            "amount": ("Amount",),
            "currency": ("CurrencyIsoCode",),
            "created_on": ("CreatedDate",),
            "close_date": ("CloseDate",),
            "stage": ("StageName",),
            "probability": ("Probability",),
            "forecast_category": ("ForecastCategoryName", "ForecastCategory"),
            "type": ("Type",),
            "source": ("LeadSource",),
            "next_step": ("NextStep",),
            "loss_reason": ("Loss_Reason__c", "LossReason"),
            "last_activity_on": ("LastActivityDate",),
            "is_won": ("IsWon",),
            "is_closed": ("IsClosed",),
            "pipeline": ("RecordTypeId",),
        },
        K.STAGE_EVENT: {
            "opportunity_id": ("OpportunityId",),
            "stage": ("StageName",),
            "entered_at": ("CreatedDate",),
            "amount": ("Amount",),
            "close_date": ("CloseDate",),
            "currency": ("CurrencyIsoCode",),
        },
        K.ACCOUNT: {
            "employees": ("NumberOfEmployees",),
            "annual_revenue": ("AnnualRevenue",),
            "country": ("BillingCountry",),
            "currency": ("CurrencyIsoCode",),
        },
        K.LEAD: {
            "created_on": ("CreatedDate",),
            "source": ("LeadSource",),
            "converted_on": ("ConvertedDate",),
            "opportunity_id": ("ConvertedOpportunityId",),
        },
        K.ACTIVITY: {
            "type": ("TaskSubtype", "Type"),
            "occurred_at": ("ActivityDate", "CreatedDate"),
            "opportunity_id": ("WhatId",),
            "lead_id": ("WhoId",),
            "account_id": ("AccountId",),
            "outcome": ("CallDisposition", "Status"),
        },
        K.PRODUCT: {"id": ("ProductCode", "Id"), "family": ("Family",)},
    },
    stages=SALESFORCE_STAGES,
    markers=(
        "StageName",
        "IsWon",
        "IsClosed",
        "ForecastCategoryName",
        "CurrencyIsoCode",
        "OpportunityId",
        "LastStageChangeDate",
    ),
    null_ids=("000000000000000AAA", "000000000000000"),
    ignore=("LastStageChangeDate", "IsDeleted", "SystemModstamp", "Fiscal", "FiscalQuarter"),
)

HUBSPOT: Final = Preset(
    name="hubspot",
    label="HubSpot deals export",
    columns={
        K.OPPORTUNITY: {
            "id": ("Record ID", "Deal ID", "hs_object_id"),
            "name": ("Deal Name", "dealname"),
            "account_id": (
                "Associated Company IDs",
                "Associated Company ID",
                "Associated Company",
            ),
            "owner_id": ("Deal owner", "hubspot_owner_id"),
            "amount": ("Amount", "amount"),
            "currency": ("Currency", "Deal currency code"),
            "created_on": ("Create Date", "createdate"),
            "close_date": ("Close Date", "closedate"),
            "stage": ("Deal Stage", "dealstage"),
            "pipeline": ("Pipeline",),
            "type": ("Deal Type", "dealtype"),
            "loss_reason": ("Closed Lost Reason",),
            "last_activity_on": ("Last Activity Date",),
            "probability": ("Deal probability",),
            "forecast_category": ("Forecast category",),
            "source": ("Original Source Type", "Original Traffic Source"),
            "next_step": ("Next step",),
            "is_won": ("Is Closed Won",),
            "is_closed": ("Is Deal Closed?", "Is closed"),
        },
        K.STAGE_EVENT: {
            "opportunity_id": ("Record ID", "Deal ID"),
            "stage": ("Deal Stage",),
        },
        K.ACCOUNT: {"name": ("Company name",), "country": ("Country/Region",)},
    },
    stages=(
        StageDef(10, "appointment_scheduled", "Appointment Scheduled", S.OPEN, 0.20),
        StageDef(20, "qualified_to_buy", "Qualified To Buy", S.OPEN, 0.40),
        StageDef(30, "presentation_scheduled", "Presentation Scheduled", S.OPEN, 0.60),
        StageDef(40, "decision_maker_bought_in", "Decision Maker Bought-In", S.OPEN, 0.80),
        StageDef(50, "contract_sent", "Contract Sent", S.OPEN, 0.90),
        StageDef(90, "closed_won", "Closed Won", S.WON, 1.0, ("closedwon",)),
        StageDef(91, "closed_lost", "Closed Lost", S.LOST, 0.0, ("closedlost",)),
    ),
    markers=("Record ID", "Deal Name", "Deal Stage", "Is Closed Won", "Associated Company IDs"),
    history_columns=True,
)

ODOO: Final = Preset(
    name="odoo",
    label="Odoo CRM (crm.lead) export",
    columns={
        K.OPPORTUNITY: {
            "id": ("ID", "External ID", "id"),
            "name": ("Opportunity", "name"),
            "account_id": ("partner_id/id", "Customer", "partner_id"),
            "owner_id": ("user_id/id", "Salesperson", "user_id"),
            "pipeline": ("Sales Team", "team_id"),
            "amount": ("Expected Revenue", "expected_revenue", "planned_revenue"),
            "currency": ("Currency", "company_currency"),
            "probability": ("Probability", "probability"),
            "stage": ("Stage", "stage_id"),
            "close_date": ("Expected Closing", "date_deadline"),
            "created_on": ("Created on", "create_date"),
            "closed_on": ("Closed Date", "date_closed"),
            "loss_reason": ("Lost Reason", "lost_reason_id"),
            "source": ("Source", "source_id"),
            "active": ("Active", "active"),
        },
    },
    stages=(
        StageDef(10, "new", "New", S.OPEN, 0.10),
        StageDef(20, "qualified", "Qualified", S.OPEN, 0.30),
        StageDef(50, "proposition", "Proposition", S.OPEN, 0.70),
        StageDef(90, "won", "Won", S.WON, 1.0),
        StageDef(91, "lost", "Lost", S.LOST, 0.0),
    ),
    markers=(
        "Expected Revenue",
        "Salesperson",
        "Expected Closing",
        "Sales Team",
        "planned_revenue",
        "date_deadline",
    ),
    ignore=("Type", "type", "Tags", "Priority", "Expected MRR", "Prorated Revenue"),
    lost_when_inactive=True,
)

ZOHO: Final = Preset(
    name="zoho",
    label="Zoho CRM deals export",
    columns={
        K.OPPORTUNITY: {
            "id": ("Record Id", "Deal Id", "Potential Id"),
            "name": ("Deal Name", "Potential Name"),
            "account_id": ("Account Name.id", "Account Name"),
            "owner_id": ("Deal Owner", "Potential Owner", "Deal Owner.id"),
            "amount": ("Amount",),
            "currency": ("Currency",),
            "stage": ("Stage",),
            "close_date": ("Closing Date",),
            "probability": ("Probability (%)",),
            "source": ("Lead Source",),
            "type": ("Type",),
            "loss_reason": ("Reason For Loss",),
            "created_on": ("Created Time",),
            "forecast_category": ("Forecast Type", "Forecast Category"),
            "next_step": ("Next Step",),
            "last_activity_on": ("Last Activity Time",),
            "promotion": ("Campaign Source",),
        },
    },
    stages=(
        StageDef(10, "qualification", "Qualification", S.OPEN, 0.10, ("Prospect",)),
        StageDef(20, "needs_analysis", "Needs Analysis", S.OPEN, 0.20),
        StageDef(30, "value_proposition", "Value Proposition", S.OPEN, 0.40),
        StageDef(
            40,
            "id_decision_makers",
            "Identify Decision Makers",
            S.OPEN,
            0.60,
            ("Id. Decision Makers",),
        ),
        StageDef(45, "perception_analysis", "Perception Analysis", S.OPEN, 0.70),
        StageDef(50, "proposal", "Proposal/Price Quote", S.OPEN, 0.75),
        StageDef(60, "negotiation", "Negotiation/Review", S.OPEN, 0.90),
        StageDef(90, "closed_won", "Closed Won", S.WON, 1.0),
        StageDef(
            91,
            "closed_lost",
            "Closed Lost",
            S.LOST,
            0.0,
            ("Closed-Lost to Competition", "Closed Lost to Competition"),
        ),
    ),
    markers=(
        "Closing Date",
        "Potential Name",
        "Potential Owner",
        "Reason For Loss",
        "Created Time",
        "Account Name.id",
        "Record Id",
    ),
    ignore=("Expected Revenue",),
)

ZH: Final = Preset(
    name="zh",
    label="Chinese CRM / spreadsheet (中文表头)",
    columns={
        K.OPPORTUNITY: {
            "id": ("商机编号", "商机ID", "机会编号", "编号", "序号"),
            "name": ("商机名称", "机会名称", "项目名称"),
            "account_id": ("客户编号", "客户ID", "客户名称", "客户"),
            "owner_id": ("负责人", "所有人", "销售负责人", "销售", "跟进人"),
            "amount": ("商机金额", "预计金额", "销售金额", "合同金额", "金额"),
            "currency": ("币种", "货币"),
            "stage": ("销售阶段", "商机阶段", "阶段"),
            "status": ("商机状态", "状态"),
            "close_date": ("预计成交日期", "结单日期", "预计结单日期"),
            "closed_on": ("实际成交日期", "成交日期", "关闭日期"),
            "created_on": ("创建时间", "创建日期"),
            "probability": ("赢率", "成交概率(%)", "成交概率"),
            "loss_reason": ("输单原因", "丢单原因"),
            "competitor": ("竞争对手",),
            "source": ("商机来源", "线索来源", "来源"),
            "type": ("商机类型", "类型"),
            "product": ("产品", "产品名称"),
            "region": ("区域", "地区", "大区"),
            "industry": ("行业",),
            "segment": ("客户分层", "细分市场"),
            "next_step": ("下一步", "下一步计划"),
            "last_activity_on": ("最近跟进时间", "最后跟进时间"),
            "pipeline": ("销售流程",),
        },
        K.STAGE_EVENT: {
            "opportunity_id": ("商机编号", "商机ID"),
            "stage": ("销售阶段", "阶段"),
            "entered_at": ("变更时间", "进入时间", "日期"),
        },
    },
    stages=(
        StageDef(10, "initial_contact", "初步接洽", S.OPEN, 0.10, ("线索", "初步沟通")),
        StageDef(20, "needs_confirmed", "需求确认", S.OPEN, 0.30, ("跟进", "需求分析")),
        StageDef(50, "proposal", "方案报价", S.OPEN, 0.60, ("报价", "方案")),
        StageDef(60, "negotiation", "合同谈判", S.OPEN, 0.80, ("谈判", "商务谈判")),
        StageDef(90, "closed_won", "成交", S.WON, 1.0, ("赢单", "已成交")),
        StageDef(91, "closed_lost", "失败", S.LOST, 0.0, ("流失", "输单", "丢单")),
    ),
    markers=("商机名称", "机会名称", "销售阶段", "商机状态", "预计成交日期", "商机金额"),
)

CRM_PRESETS: Final = (SALESFORCE_API, HUBSPOT, PIPEDRIVE, DYNAMICS, ZOHO, ODOO, SALESFORCE, ZH)

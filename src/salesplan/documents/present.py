"""Turning model values into text for one locale: the only place a document formats a value."""

from __future__ import annotations

from dataclasses import dataclass

from salesplan.documents.labels import label_id
from salesplan.documents.model import (
    Day,
    Label,
    Money,
    Month,
    Msg,
    Number,
    Percent,
    Quarter,
    Value,
)
from salesplan.i18n import Translator

DASH = "–"


@dataclass(frozen=True, slots=True)
class Presenter:
    """Formats values and messages in `t`'s locale; money is in `currency` minor units."""

    t: Translator
    currency: str

    def value(self, v: Value) -> str:
        t = self.t
        if v is None:
            return DASH
        if isinstance(v, str):
            return v
        if isinstance(v, Money):
            return t.money(v.minor, self.currency, minor=True, compact=v.compact)
        if isinstance(v, Percent):
            return t.percent(v.fraction, v.digits)
        if isinstance(v, Number):
            return t.number(v.value, v.digits)
        if isinstance(v, Day):
            return t.date(v.value)
        if isinstance(v, Month):
            return t.period(v.year, month=v.month)
        if isinstance(v, Quarter):
            return t.period(v.year, quarter=v.quarter)
        if isinstance(v, Label):
            msgid = label_id(v.kind, v.code)
            return t.gettext(msgid) if msgid else v.code
        return self.text(v)

    def text(self, msg: Msg) -> str:
        params = {k: self.value(p) for k, p in msg.params.items()}
        return self.t.gettext(msg.msgid, **params)

    def __call__(self, msgid: str) -> str:
        return self.t.gettext(msgid)

"""The payroll knobs from settings in one object: the pay calendar, the rules, who approves and who unlocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from bot.services.payroll.periods import PayCalendar
from bot.services.payroll.rules import PayRules, load_rules


@dataclass(frozen=True)
class PayrollConfig:
    cal: PayCalendar
    rules: PayRules = field(default_factory=load_rules)
    approve_roles: tuple[str, ...] = ("associate",)
    unlock_roles: tuple[str, ...] = ("associate",)
    late_grace: timedelta = timedelta(minutes=5)
    auto_close_after: timedelta = timedelta(minutes=60)
    adp_company_code: str = "OPS"
    adp_codes: tuple[tuple[str, str], ...] = (("DT", "D"), ("MEAL", "MP"), ("REST", "RP"))
    invoice_note_over: Decimal = Decimal("1.00")
    leadership_channel: str | None = None
    ops_channel: str | None = None

    @classmethod
    def from_settings(cls, settings) -> PayrollConfig:  # type: ignore[no-untyped-def]
        codes = {"DT": "D", "MEAL": "MP", "REST": "RP"}
        for part in (settings.adp_codes or "").split(","):
            key, _, code = part.partition("=")
            if key.strip().upper() in codes and code.strip():
                codes[key.strip().upper()] = code.strip()[:10]
        return cls(cal=PayCalendar.from_settings(settings), rules=load_rules(settings.payroll_rules_file or None),
                   approve_roles=tuple(settings.timesheet_approve_roles), unlock_roles=tuple(settings.timesheet_unlock_roles),
                   late_grace=timedelta(minutes=settings.late_grace_minutes),
                   auto_close_after=timedelta(minutes=settings.auto_close_minutes),
                   adp_company_code=settings.adp_company_code, adp_codes=tuple(codes.items()),
                   invoice_note_over=(Decimal(settings.invoice_note_over_cents) / 100).quantize(Decimal("0.01")),
                   leadership_channel=settings.leadership_channel, ops_channel=settings.ops_channel)

    def adp_code(self, key: str) -> str:
        return dict(self.adp_codes)[key]

"""Capturing LIVE metrics: the Log metrics modal, Seller Center imports, and the after-LIVE prompt.

Parsing lives in parsing.py and values.py beside it (shared with imports); this module decides which
session a row belongs to and writes it, all-or-nothing, with an audit record per session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db.metrics import SessionMetrics, SkuMetrics
from bot.db.models import LiveSession, Person
from bot.db.schedule import Product
from bot.services import audit, edits, notices, outbox
from bot.services.errors import Invalid, NotFound
from bot.services.validation import InputError, check_column
from bot.services.metrics.parsing import ParsedExport, RowError, load_column_mapping, normalize_header
from bot.services.metrics.values import parse_count, parse_duration_seconds, parse_money_cents, validate_metrics
from bot.services.metrics.files import parse_export
from bot.services.people import ADMIN, require_role, with_role
from bot.services.workbooks import Limits
from bot.timefmt import local_to_utc

# The session totals stored per LIVE (every canonical field of the mapping file that is a column).
STORED = [name for name in load_column_mapping().kinds if name not in ("title", "start_time", "end_time")]
# What the modal asks for, in order, with labels. Rates are never typed: they are computed.
FORM_FIELDS: list[tuple[str, str, str]] = [
    ("gmv_cents", "GMV ($)", "money"),
    ("orders", "Orders", "count"),
    ("units_sold", "Units sold", "count"),
    ("unique_viewers", "Unique viewers", "count"),
    ("views", "Views", "count"),
    ("avg_view_duration_seconds", "Avg. viewing duration (s, 1m28s or mm:ss)", "duration"),
    ("peak_viewers", "Peak concurrent viewers", "count"),
    ("product_impressions", "Product impressions", "count"),
    ("product_clicks", "Product clicks", "count"),
    ("new_followers", "New followers", "count"),
    ("comments", "Comments", "count"),
    ("shares", "Shares", "count"),
]
FORM_PARSERS = {"money": parse_money_cents, "count": parse_count, "duration": parse_duration_seconds}
PROMPT_LOOKBACK = timedelta(hours=24)


def _snapshot(m: SessionMetrics | None) -> dict | None:
    return audit.snapshot(m, [*STORED, "source", "file_name"]) if m is not None else None


def require_associate(actor: Person, doing: str) -> None:
    require_role(actor, ADMIN, doing=doing)


def get(s: Session, session_id: int) -> SessionMetrics | None:
    return s.scalar(select(SessionMetrics).where(SessionMetrics.session_id == session_id))


def live_session(s: Session, session_id: int) -> LiveSession:
    live = s.get(LiveSession, session_id)
    if live is None:
        raise NotFound(f"LIVE session #{session_id} doesn't exist (it may have been deleted).")
    return live


def recent_sessions(s: Session, now: datetime, days: int = 14, limit: int = 100) -> list[LiveSession]:
    """Sessions that started in the last `days` days, newest first: what the /metrics picker offers."""
    return list(s.scalars(select(LiveSession).where(
        LiveSession.starts_at >= now - timedelta(days=days), LiveSession.starts_at <= now,
        LiveSession.status != "cancelled").order_by(LiveSession.starts_at.desc()).limit(limit)))


def save(s: Session, live: LiveSession, values: Mapping[str, object], *, actor: str, source: str, now: datetime,
         file_name: str | None = None) -> bool:
    """Write the given metric values (only those keys) for a session; True when the row is new.

    A concurrent first save of the same session hits the unique session_id and updates instead."""
    row = s.scalar(select(SessionMetrics).where(SessionMetrics.session_id == live.id).with_for_update())
    created = row is None
    if row is None:
        row = SessionMetrics(session_id=live.id, source=source, created_at=now, updated_at=now, updated_by=actor)
        try:
            with s.begin_nested():
                s.add(row)
        except IntegrityError:
            row = s.scalar(select(SessionMetrics).where(SessionMetrics.session_id == live.id).with_for_update())
            assert row is not None
            created = False
    before = None if created else _snapshot(row)
    for name, value in values.items():
        if name in STORED:
            setattr(row, name, value)
    row.source, row.file_name, row.updated_at, row.updated_by = source, file_name, now, actor
    s.flush()
    audit.record(s, actor=actor, action="metrics.created" if created else "metrics.updated", entity_type="live_session",
                 entity_id=live.id, before=before, after=_snapshot(row), reason=file_name)
    return created


# -------------------------------------------------------------------------------- the modal


@dataclass
class SkuLine:
    sku: str
    units: int
    gmv_cents: int | None
    stock_after: int | None


def parse_form(raw: Mapping[str, str | None]) -> dict[str, object]:
    """Typed values from the modal's text inputs, or Invalid with one error per field (block id = field name)."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name, label, kind in FORM_FIELDS:
        text = (raw.get(name) or "").strip()
        try:
            values[name] = None
            value = FORM_PARSERS[kind](text) if text else None
            check_column(SessionMetrics.__table__.c[name], value, field=name, label=label,  # type: ignore[arg-type]
                         scale=100 if kind == "money" else 1)
            values[name] = value
        except InputError as exc:
            errors[name] = exc.message[:150]
        except ValueError as exc:
            errors[name] = f"{label}: '{text[:40]}' {exc}"[:150]
    for name, reason in validate_metrics(values):
        errors.setdefault(name, reason[:150])
    if errors:
        raise Invalid("Some numbers need fixing: " + "; ".join(errors.values()), fields=errors)
    return values


def parse_sku_lines(text: str | None) -> list[SkuLine]:
    """'SKU UNITS [GMV] [STOCK]' per line (spaces or tabs, so rows paste from a spreadsheet)."""
    lines: list[SkuLine] = []
    seen: set[str] = set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace("\t", " ").split()
        if not parts:
            continue
        try:
            if len(parts) < 2 or len(parts) > 4:
                raise ValueError("should be SKU, units, then optionally GMV and stock left, e.g. GLOW-01 12 $240.00 30")
            units = parse_count(parts[1])
            gmv = parse_money_cents(parts[2]) if len(parts) > 2 else None
            stock = parse_count(parts[3]) if len(parts) > 3 else None
            if units is None or units < 0 or (gmv is not None and gmv < 0) or (stock is not None and stock < 0):
                raise ValueError("needs units (and GMV, stock) of zero or more")
            for column, value, what in (("units", units, "units"), ("gmv_cents", gmv, "GMV"), ("stock_after", stock, "stock")):
                check_column(SkuMetrics.__table__.c[column], value, label=what, scale=100 if column == "gmv_cents" else 1)
            if parts[0].upper() in seen:
                raise ValueError(f"lists {parts[0]} twice")
        except ValueError as exc:
            raise Invalid(f"SKU line {number} {exc}", fields={"skus": f"Line {number} {exc}"[:150]}) from None
        seen.add(parts[0].upper())
        lines.append(SkuLine(parts[0][:64], units, gmv, stock))
    return lines


def save_skus(s: Session, live: LiveSession, lines: list[SkuLine], *, actor: str, now: datetime) -> None:
    """Replace the session's per-SKU figures; a SKU code that matches a product is linked to it."""
    products = {p.sku.upper(): p.id for p in s.scalars(select(Product).where(
        Product.sku.in_([ln.sku for ln in lines] + [ln.sku.upper() for ln in lines])))} if lines else {}
    old = s.scalars(select(SkuMetrics).where(SkuMetrics.session_id == live.id)).all()
    before = [{"sku": r.sku, "units": r.units, "gmv_cents": r.gmv_cents, "stock_after": r.stock_after} for r in old]
    for r in old:
        s.delete(r)
    s.flush()
    for ln in lines:
        s.add(SkuMetrics(session_id=live.id, sku=ln.sku, product_id=products.get(ln.sku.upper()), units=ln.units,
                         gmv_cents=ln.gmv_cents, stock_after=ln.stock_after, updated_at=now, updated_by=actor))
    after = [{"sku": ln.sku, "units": ln.units, "gmv_cents": ln.gmv_cents, "stock_after": ln.stock_after} for ln in lines]
    if before != after:
        audit.record(s, actor=actor, action="metrics.skus_saved", entity_type="live_session", entity_id=live.id,
                     before={"skus": before}, after={"skus": after})


def submit_form(s: Session, actor: Person, session_id: int | None, raw: Mapping[str, str | None], now: datetime,
                seen: str | None = None) -> tuple[LiveSession, bool]:
    """The Log metrics modal: validate everything first, then save totals and SKU lines together.

    The session row is locked, and `seen` (the form's version of these metrics) must still hold."""
    require_associate(actor, "log LIVE metrics")
    if session_id is None:
        raise Invalid("Pick the LIVE session these numbers are for.", fields={"session": "Pick a session"})
    live = edits.lock(s, LiveSession, live_session(s, session_id).id, "That session")
    edits.require_version(form_version(s, session_id), seen, "These metrics")
    values = parse_form(raw)
    lines = parse_sku_lines(raw.get("skus"))
    created = save(s, live, values, actor=actor.slack_user_id, source="modal", now=now)
    save_skus(s, live, lines, actor=actor.slack_user_id, now=now)
    return live, created


def form_version(s: Session, session_id: int) -> str:
    return edits.fingerprint(form_defaults(s, session_id))


def form_defaults(s: Session, session_id: int) -> dict[str, str]:
    """The saved values as the modal shows them (so reopening edits rather than retypes)."""
    m = get(s, session_id)
    out: dict[str, str] = {}
    if m is not None:
        for name, _, kind in FORM_FIELDS:
            value = getattr(m, name)
            if value is None:
                continue
            out[name] = f"{Decimal(value) / 100:.2f}" if kind == "money" else (f"{Decimal(value).normalize():f}" if kind == "duration" else str(value))
    skus = s.scalars(select(SkuMetrics).where(SkuMetrics.session_id == session_id).order_by(SkuMetrics.sku)).all()
    if skus:
        out["skus"] = "\n".join(" ".join(x for x in (r.sku, str(r.units), f"{r.gmv_cents / 100:.2f}" if r.gmv_cents is not None else None,
                                                       str(r.stock_after) if r.stock_after is not None else None) if x) for r in skus)
    return out


# -------------------------------------------------------------------------------- imports


@dataclass
class ImportReport:
    file_name: str
    header_row: int = 0
    created: int = 0
    updated: int = 0
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (row, "start · title")
    unknown_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        """The report as plain sentences, for the CLI and the bot."""
        if self.errors:
            out = [f"{self.file_name}: nothing was imported; fix these {len(self.errors)} problem(s) and import again:"]
            out += [f"  row {e.row_number}, {e.column}: '{e.value}' {e.reason}" for e in self.errors[:50]]
            if len(self.errors) > 50:
                out.append(f"  … and {len(self.errors) - 50} more")
            return out
        out = [f"{self.file_name}: {self.created} session(s) created, {self.updated} updated, {len(self.unmatched)} unmatched "
               f"(header on row {self.header_row})."]
        out += [f"  unmatched row {r}: {what} (no LIVE session starts within the match window)" for r, what in self.unmatched]
        if self.unknown_columns:
            out.append(f"  unknown columns ignored: {', '.join(self.unknown_columns)} (add spellings to bot/data/metric_columns.toml)")
        if self.ignored_columns:
            out.append(f"  known columns not stored (opsbot recomputes them): {', '.join(self.ignored_columns)}")
        return out


def import_file(s: Session, actor: str, path: Path | str, *, tz: ZoneInfo, tolerance: timedelta, now: datetime,
                file_name: str | None = None, limits: Limits | None = None) -> ImportReport:
    """Read an export and write it, every row or none: when the report is not ok nothing was written, so the
    caller may still commit its own records. Raises MetricsFileError when the file itself is unusable."""
    name = file_name or Path(path).name
    return apply_export(s, actor, parse_export(path, filename=name, limits=limits), name, tz=tz, tolerance=tolerance, now=now)


def match_tolerance(settings: Settings) -> timedelta:
    """How far an export row's start may be from a session's scheduled start (METRICS_MATCH_MINUTES)."""
    return timedelta(minutes=settings.metrics_match_minutes)


def apply_export(s: Session, actor: str, parsed: ParsedExport, file_name: str, *, tz: ZoneInfo, tolerance: timedelta,
                 now: datetime) -> ImportReport:
    report = ImportReport(file_name=file_name, header_row=parsed.header_row, unknown_columns=parsed.unknown_columns,
                          ignored_columns=parsed.ignored_columns, skipped_rows=parsed.skipped_rows, errors=list(parsed.errors))
    if report.errors:
        return report
    present = set(parsed.columns.values()) & set(STORED)
    starts = {row.row_number: local_to_utc(row.values["start_time"].date(), row.values["start_time"].time(), tz)  # type: ignore[union-attr]
              for row in parsed.rows}
    if not starts:
        return report
    candidates = list(s.scalars(select(LiveSession).where(
        LiveSession.starts_at >= min(starts.values()) - tolerance, LiveSession.starts_at <= max(starts.values()) + tolerance,
        LiveSession.status != "cancelled")))
    start_column = next(w for w, c in parsed.columns.items() if c == "start_time")
    matched: dict[int, int] = {}  # session id -> row number
    plan: list[tuple[LiveSession, dict[str, object]]] = []
    for row in parsed.rows:
        at = starts[row.row_number]
        near = [c for c in candidates if abs(c.starts_at - at) <= tolerance]
        title = row.values.get("title")
        if len(near) > 1 and title:
            near = [c for c in near if normalize_header(c.title) == normalize_header(title)] or near
        if len(near) > 1:
            near = [c for c in near if abs(c.starts_at - at) == min(abs(x.starts_at - at) for x in near)]
        shown = f"{row.values['start_time']:%Y-%m-%d %H:%M}" + (f" · {title}" if title else "")
        if not near:
            report.unmatched.append((row.row_number, shown))
            continue
        if len(near) > 1:
            report.errors.append(RowError(row.row_number, start_column, shown,
                                          f"matches {len(near)} sessions starting together ({', '.join(c.title for c in near)}); "
                                          "add a title column (Livestream / LIVE title) that names the session"))
            continue
        live = near[0]
        if live.id in matched:
            report.errors.append(RowError(row.row_number, start_column, shown,
                                          f"is the same session ({live.title}) as row {matched[live.id]}"))
            continue
        matched[live.id] = row.row_number
        plan.append((live, {k: v for k, v in row.values.items() if k in present}))
    if report.errors:
        return report
    for live, values in plan:
        if save(s, live, values, actor=actor, source="import", now=now, file_name=file_name):
            report.created += 1
        else:
            report.updated += 1
    return report


# -------------------------------------------------------------------------------- the prompt


def sessions_to_prompt(s: Session, now: datetime) -> list[LiveSession]:
    """Sessions that ended in the last day and still have no metrics."""
    return list(s.scalars(select(LiveSession).where(
        LiveSession.ends_at <= now, LiveSession.ends_at > now - PROMPT_LOOKBACK, LiveSession.status != "cancelled",
        ~select(SessionMetrics.id).where(SessionMetrics.session_id == LiveSession.id).exists()).order_by(LiveSession.ends_at)))


def prompt_ended(s: Session, now: datetime, tz: ZoneInfo) -> int:
    """DM each associate a Log metrics button once per ended session (the outbox key makes it once)."""
    associates = [p.slack_user_id for p in with_role(s, ADMIN)]
    sent = 0
    for live in sessions_to_prompt(s, now):
        text, blocks = notices.render("metrics.prompt", live, tz)
        for uid in associates:
            if outbox.dm(s, uid, text, blocks, key=f"metrics-prompt:{live.id}:{uid}", notice="metrics.prompt") is not None:
                sent += 1
    return sent


"""A punch: one check-in or check-out, its rules and its statements, as plain SQL in one transaction.

This is the path a whole crew takes in the same minute at call time, so it runs on the driver's own
connection (bot.db.session.RawTransaction): one SELECT loads who is clocking (person, open entry,
clock role, payroll lock and the shift a check-in would attach to), then the entry, its audit row and
the on-set board refresh are written. The ORM's `timeclock.check_in/check_out` run this same code
inside an ORM session, so there is one set of rules. A check-in attaches to the caller's shift when
one starts within the early window or is in progress, and records lateness against the shift's call
time; with no shift it is accepted as unscheduled and flagged. A partial unique index allows one open
entry per person, so double taps and concurrent requests cannot clock anyone in twice.

On PostgreSQL the connection is in autocommit (bot.db.session.Database.raw_transaction) and each change
is one statement (a check-out's also sums today's other closed time), so the SELECT and the write are two snapshots: the write re-checks what must hold (the
unique index, `clock_out_at IS NULL`); a timesheet approved, or a shift taken, in between is not re-read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.session import RawTransaction, Statement
from bot.services.audit import snapshot
from bot.services.errors import Conflict, Invalid, NotAllowed
from bot.services.payroll.locks import refusal
from bot.slack_ids import USER_ID_RE
from bot.timefmt import day_bounds, fmt_datetime, local_date

MAX_NOTE = 2000
ENTRY_FIELDS = ["clock_in_at", "clock_out_at", "shift_id", "late_minutes", "unscheduled", "note_in", "note_out"]
NO_CLOCK_ROLE = ("You're not on the roster as a host or PA, so the time clock can't record your hours yet: "
                 "ask the associate to add you (they type `/ops role add @you host`, or `pa`).")


@dataclass(frozen=True)
class Policy:
    """The time-clock rules that come from settings."""

    tz: ZoneInfo
    early_window: timedelta = timedelta(minutes=60)
    late_grace: timedelta = timedelta(minutes=5)
    max_entry: timedelta = timedelta(hours=16)
    open_checkin: bool = False  # OPEN_CHECKIN: anyone may clock in, not only hosts and PAs

    @classmethod
    def from_settings(cls, settings) -> Policy:  # type: ignore[no-untyped-def]
        return cls(
            tz=settings.tz,
            early_window=timedelta(minutes=settings.checkin_early_window_minutes),
            late_grace=timedelta(minutes=settings.late_grace_minutes),
            max_entry=timedelta(hours=settings.max_entry_hours),
            open_checkin=settings.open_checkin,
        )


@dataclass
class Entry:
    """A time entry as the punch wrote or found it."""

    id: int
    person_id: int
    shift_id: int | None
    clock_in_at: datetime
    clock_out_at: datetime | None
    note_in: str | None
    note_out: str | None
    late_minutes: int | None
    unscheduled: bool


@dataclass(frozen=True)
class LiveTitle:
    title: str


@dataclass(frozen=True)
class ShiftSlot:
    """The shift a check-in attaches to, with its LIVE's title (what the answer names)."""

    id: int
    role: str
    starts_at: datetime
    ends_at: datetime
    session: LiveTitle | None


@dataclass(frozen=True)
class Subject:
    """Who is clocking, from one statement."""

    person_id: int
    slack_user_id: str
    open_entry: Entry | None
    rostered: bool  # holds the host or PA role
    shift: ShiftSlot | None = None
    shift_taken: bool = False  # someone already clocked in against that shift
    locked: bool = False  # an approved timesheet covers now (payroll's lock)
    profile_filled: bool = False  # users.info already copied in: the after-ack lookup can be skipped


@dataclass
class CheckIn:
    entry: Entry
    shift: ShiftSlot | None
    late_minutes: int
    profile_filled: bool = False

    @property
    def unscheduled(self) -> bool:
        return self.shift is None


@dataclass
class CheckOut:
    entry: Entry
    worked: timedelta
    worked_today: timedelta
    asked: list[str] = field(default_factory=list)  # meal/rest questions /checkout asks (bot.services.payroll.attest)
    profile_filled: bool = False


def clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"That note is {len(note):,} characters; keep it under {MAX_NOTE:,}. Nothing was recorded.")
    return note or None


def lateness(shift, at: datetime, policy: Policy) -> int:  # type: ignore[no-untyped-def]
    """Whole minutes after call time, or 0 when within the grace period."""
    late = at - shift.starts_at
    if late <= policy.late_grace:
        return 0
    return int(late.total_seconds() // 60)


def require_clock_role(rostered: bool, policy: Policy) -> None:
    """Hours are pay: only rostered hosts and PAs clock in, unless the studio opened check-in (OPEN_CHECKIN)."""
    if not policy.open_checkin and not rostered:
        raise NotAllowed(NO_CLOCK_ROLE)


_SUBJECT = Statement("""
    SELECT p.id, p.slack_user_id, p.profile_synced_at IS NOT NULL,
           e.id, e.shift_id, e.clock_in_at, e.note_in, e.note_out, e.late_minutes, e.unscheduled,
           EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role IN ('host', 'pa')),
           EXISTS (SELECT 1 FROM timesheet_approvals a WHERE a.person_id = p.id AND a.status = 'approved'
                   AND a.ends_at > :now AND a.starts_at <= :now),
           s.id, s.role, s.starts_at, s.ends_at, ls.id, ls.title,
           EXISTS (SELECT 1 FROM time_entries t WHERE t.shift_id = s.id)
    FROM people p
    LEFT JOIN time_entries e ON e.person_id = p.id AND e.clock_out_at IS NULL
    LEFT JOIN shifts s ON s.id = (
        SELECT ms.id FROM shifts ms LEFT JOIN live_sessions mls ON ms.session_id = mls.id
        WHERE ms.person_id = p.id AND NOT ms.cancelled AND ms.starts_at <= :window_end AND ms.ends_at > :now
          AND (mls.id IS NULL OR mls.status <> 'cancelled')
        ORDER BY ms.starts_at, ms.id LIMIT 1)
    LEFT JOIN live_sessions ls ON ls.id = s.session_id
    WHERE p.slack_user_id = :uid
    LIMIT 1""")
_NEW_PERSON = Statement("""
    INSERT INTO people (slack_user_id, active, created_at) VALUES (:uid, :active, :at)
    ON CONFLICT (slack_user_id) DO NOTHING RETURNING id""")
_INSERT_ENTRY = Statement("""
    INSERT INTO time_entries (person_id, shift_id, clock_in_at, clock_out_at, note_in, note_out, late_minutes,
                              unscheduled, edited, source, created_at)
    VALUES (:person_id, :shift_id, :at, NULL, :note_in, NULL, :late_minutes, :unscheduled, :edited, 'slack', :at)
    RETURNING id""")
_CLOSE_ENTRY = Statement("""
    UPDATE time_entries SET clock_out_at = :clock_out_at, note_out = :note_out WHERE id = :eid AND clock_out_at IS NULL""")
_AUDIT = Statement("""
    INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before, after, reason)
    VALUES (:at, :actor, :action, :entity_type, :entity_id, :before, :after, NULL)""")
# A refresh of a live board is rendered at delivery, so one still waiting already covers this change.
_BOARD = Statement("""
    INSERT INTO outbox (kind, channel, payload, status, attempts, next_attempt_at, created_at, chain)
    SELECT 'board', CAST(:key AS VARCHAR), :payload, 'pending', 0, :at, :at, CAST(:key AS VARCHAR)
    WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE chain = :key AND status = 'pending' AND kind = 'board')""")
_SPANS = Statement("""
    SELECT clock_in_at, clock_out_at FROM time_entries
    WHERE person_id = :pid AND clock_out_at IS NOT NULL AND clock_in_at < :end AND clock_out_at > :start""")

# PostgreSQL writes each punch as one statement (one round trip, atomic in autocommit): the row, its audit
# row and the board refresh, chained through data-modifying CTEs. SQLite runs _INSERT_ENTRY/_CLOSE_ENTRY,
# _AUDIT and _BOARD in its BEGIN IMMEDIATE transaction instead.
_AUDIT_FROM = """
    INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before, after, reason)
    SELECT :at, :actor, :action, :entity_type, CAST({row}.id AS VARCHAR), :before, :after, NULL FROM {row}"""
_BOARDS_FROM = """
    INSERT INTO outbox (kind, channel, payload, status, attempts, next_attempt_at, created_at, chain)
    SELECT 'board', k.key, CAST(k.payload AS JSONB), 'pending', 0, :at, :at, k.key
    FROM {row}, (SELECT DISTINCT key, payload FROM (VALUES (CAST(:key AS VARCHAR), CAST(:payload AS VARCHAR)),
                 (CAST(:key2 AS VARCHAR), CAST(:payload2 AS VARCHAR))) AS v (key, payload)) AS k
    WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.chain = k.key AND o.status = 'pending' AND o.kind = 'board')
    RETURNING 1"""
_NEW_PERSON_PG = Statement(f"""
    WITH p AS ({_NEW_PERSON.text}), a AS ({_AUDIT_FROM.format(row="p")})
    SELECT id FROM p""")
_CHECK_IN_PG = Statement(f"""
    WITH e AS ({_INSERT_ENTRY.text}), a AS ({_AUDIT_FROM.format(row="e")}), b AS ({_BOARDS_FROM.format(row="e")})
    SELECT e.id, (SELECT count(*) FROM b) FROM e""")
# The check-out's statement also sums the person's other closed time today (as _SPANS does on SQLite): its
# subquery sees the table as it was before this statement, with this entry still open, so it is left out.
_CHECK_OUT_PG = Statement(f"""
    WITH u AS ({_CLOSE_ENTRY.text} RETURNING id), a AS ({_AUDIT_FROM.format(row="u")}),
         b AS ({_BOARDS_FROM.format(row="u")})
    SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM b),
           (SELECT COALESCE(EXTRACT(EPOCH FROM sum(LEAST(t.clock_out_at, :end) - GREATEST(t.clock_in_at, :start))), 0)
            FROM time_entries t WHERE t.person_id = :pid AND t.clock_out_at IS NOT NULL
              AND t.clock_in_at < :end AND t.clock_out_at > :start)""")


def load_subject(tx: RawTransaction, slack_user_id: str, now: datetime, policy: Policy) -> Subject | None:
    """The person with this Slack ID and everything a punch decides on; None if the bot never saw them."""
    at = tx.timestamp(now)
    row = tx.execute(_SUBJECT, {"uid": slack_user_id, "now": at,  # type: ignore[attr-defined]
                                "window_end": tx.timestamp(now + policy.early_window)}).fetchone()
    if row is None:
        return None
    (pid, uid, filled, eid, e_shift, e_in, e_note_in, e_note_out, e_late, e_unsched, rostered, locked,
     sid, role, s_start, s_end, live_id, live_title, taken) = row
    entry = None if eid is None else Entry(
        id=eid, person_id=pid, shift_id=e_shift, clock_in_at=tx.instant(e_in), clock_out_at=None,  # type: ignore[arg-type]
        note_in=e_note_in, note_out=e_note_out, late_minutes=e_late, unscheduled=bool(e_unsched))
    shift = None if sid is None else ShiftSlot(
        id=sid, role=role, starts_at=tx.instant(s_start), ends_at=tx.instant(s_end),  # type: ignore[arg-type]
        session=LiveTitle(live_title) if live_id is not None else None)
    return Subject(person_id=pid, slack_user_id=uid, open_entry=entry, rostered=bool(rostered), shift=shift,
                   shift_taken=bool(taken) if shift is not None else False, locked=bool(locked),
                   profile_filled=bool(filled))


def new_person(tx: RawTransaction, slack_user_id: str, now: datetime, policy: Policy) -> Subject:
    """First contact: the caller, created (no roles, shifts or entries yet; users.info fills them in later).

    Called only once the punch is allowed, so a refused first punch leaves nothing behind."""
    if not isinstance(slack_user_id, str) or not USER_ID_RE.match(slack_user_id):
        raise Invalid(f"'{str(slack_user_id)[:40]}' is not a Slack user (user IDs look like U012ABCDEF). Nothing was changed.")
    params = _audit_params(tx, slack_user_id, "person.created", "person", None, {"slack_user_id": slack_user_id}, now)
    params.update(uid=slack_user_id, active=True)
    if tx.sqlite:
        created = tx.execute(_NEW_PERSON, params).fetchone()  # type: ignore[attr-defined]
        if created is not None:
            tx.execute(_AUDIT, {**params, "entity_id": str(created[0])})
    else:
        created = tx.execute(_NEW_PERSON_PG, params).fetchone()  # type: ignore[attr-defined]
    if created is None:  # a concurrent request created them first
        again = load_subject(tx, slack_user_id, now, policy)
        assert again is not None
        return again
    return Subject(person_id=created[0], slack_user_id=slack_user_id, open_entry=None, rostered=False)


def _audit_params(tx: RawTransaction, actor: str, action: str, entity_type: str, before: dict | None,
                  after: dict | None, now: datetime) -> dict[str, object]:
    """The audit row's columns (bot.services.audit's), written in the punch's own statements."""
    return {"at": tx.timestamp(now), "actor": actor, "action": action, "entity_type": entity_type,
            "before": tx.json(before), "after": tx.json(after)}


def _board_params(tx: RawTransaction, days: list[date]) -> dict[str, object]:
    """The on-set boards to refresh (one or two local days; bot.services.outbox.refresh_board's keys)."""
    keys = [(f"onset:{d.isoformat()}", {"board": "onset", "date": d.isoformat()}) for d in days]
    (key, payload), (key2, payload2) = keys[0], keys[-1]
    if tx.sqlite:
        return {"boards": keys}
    return {"key": key, "payload": json.dumps(payload), "key2": key2, "payload2": json.dumps(payload2)}


def _refresh_boards(tx: RawTransaction, params: dict[str, object]) -> None:
    """SQLite's board refreshes, one INSERT per board (PostgreSQL's ride in the punch's statement)."""
    for key, payload in params.pop("boards"):  # type: ignore[attr-defined]
        if tx.execute(_BOARD, {"key": key, "payload": tx.json(payload), "at": params["at"]}).rowcount == 1:  # type: ignore[attr-defined]
            tx.outbox_written = True


def check_in(tx: RawTransaction, slack_user_id: str, note: str | None, now: datetime, policy: Policy,
             subject: Subject | None = None) -> CheckIn:
    found = subject or load_subject(tx, slack_user_id, now, policy)
    require_clock_role(found is not None and found.rostered, policy)
    note = clean_note(note)
    subject = found or new_person(tx, slack_user_id, now, policy)
    if subject.locked:
        raise Conflict(locked_message(tx, subject.person_id, now))
    if subject.open_entry is not None:
        raise Conflict(f"You're already clocked in since {fmt_datetime(subject.open_entry.clock_in_at, policy.tz)}. "
                       "Use /checkout when you finish.")
    shift, first_on_shift = subject.shift, subject.shift is not None and not subject.shift_taken
    late = lateness(shift, now, policy) if shift is not None and first_on_shift else 0
    entry = Entry(id=0, person_id=subject.person_id, shift_id=shift.id if shift else None, clock_in_at=now,
                  clock_out_at=None, note_in=note, note_out=None,
                  late_minutes=late if shift is not None and first_on_shift else None, unscheduled=shift is None)
    params = _audit_params(tx, subject.slack_user_id, "timeclock.check_in", "time_entry", None,
                           snapshot(entry, ENTRY_FIELDS), now)
    params.update(person_id=entry.person_id, shift_id=entry.shift_id, note_in=note, late_minutes=entry.late_minutes,
                  unscheduled=entry.unscheduled, edited=False, **_board_params(tx, [local_date(now, policy.tz)]))
    try:
        if tx.sqlite:
            entry.id = tx.execute(_INSERT_ENTRY, params).fetchone()[0]  # type: ignore[attr-defined]
            tx.execute(_AUDIT, {**params, "entity_id": str(entry.id)})
            _refresh_boards(tx, params)
        else:
            entry.id, boards = tx.execute(_CHECK_IN_PG, params).fetchone()  # type: ignore[attr-defined]
            tx.outbox_written = tx.outbox_written or boards > 0
    except tx.integrity_error:  # the partial unique index: a concurrent request clocked them in first
        raise Conflict("You're already clocked in (that looked like a double tap). Use /checkout when you finish.") from None
    return CheckIn(entry=entry, shift=shift, late_minutes=late, profile_filled=subject.profile_filled)


NOT_IN = "You're not clocked in, so there is nothing to check out. Use /checkin when you start."


def check_out(tx: RawTransaction, slack_user_id: str, note: str | None, now: datetime, policy: Policy,
              subject: Subject | None = None) -> CheckOut:
    subject = subject or load_subject(tx, slack_user_id, now, policy)
    note = clean_note(note)
    entry = subject.open_entry if subject is not None else None
    if subject is None or entry is None:
        # an open entry can always be closed, even after a role was removed
        require_clock_role(subject is not None and subject.rostered, policy)
        raise Conflict(NOT_IN)
    before = snapshot(entry, ENTRY_FIELDS)
    entry.clock_out_at = max(now, entry.clock_in_at + timedelta(seconds=1))
    entry.note_out = note
    start, end = day_bounds(local_date(now, policy.tz), policy.tz)
    days = sorted({local_date(entry.clock_in_at, policy.tz), local_date(entry.clock_out_at, policy.tz)})
    params = _audit_params(tx, subject.slack_user_id, "timeclock.check_out", "time_entry", before,
                           snapshot(entry, ENTRY_FIELDS), now)
    params.update(eid=entry.id, clock_out_at=tx.timestamp(entry.clock_out_at), note_out=note, **_board_params(tx, days))
    # Today's other closed time (this entry is still open in the database), then this entry's part of today.
    if tx.sqlite:
        today = worked_between(tx, subject.person_id, start, end)
        closed = tx.execute(_CLOSE_ENTRY, params).rowcount  # type: ignore[attr-defined]
        if closed == 1:
            tx.execute(_AUDIT, {**params, "entity_id": str(entry.id)})
            _refresh_boards(tx, params)
    else:
        params.update(pid=subject.person_id, start=start, end=end)
        closed, boards, seconds = tx.execute(_CHECK_OUT_PG, params).fetchone()  # type: ignore[attr-defined]
        tx.outbox_written = tx.outbox_written or boards > 0
        today = timedelta(microseconds=int(round(seconds * 1_000_000)))
    if closed != 1:  # a concurrent check-out closed it first
        raise Conflict(NOT_IN)
    today += max(timedelta(), min(entry.clock_out_at, end) - max(entry.clock_in_at, start))
    return CheckOut(entry=entry, worked=entry.clock_out_at - entry.clock_in_at, worked_today=today,
                    profile_filled=subject.profile_filled)


def worked_between(tx: RawTransaction, person_id: int, start: datetime, end: datetime) -> timedelta:
    """Closed time that falls between two instants; entries straddling the edges are cut there."""
    spans = tx.execute(_SPANS, {"pid": person_id, "start": tx.timestamp(start), "end": tx.timestamp(end)}).fetchall()  # type: ignore[attr-defined]
    total = timedelta()
    for clock_in_at, clock_out_at in spans:
        total += min(tx.instant(clock_out_at), end) - max(tx.instant(clock_in_at), start)  # type: ignore[type-var,operator]
    return total


_LOCK = Statement("""
    SELECT period_start, period_end FROM timesheet_approvals
    WHERE person_id = :pid AND status = 'approved' AND ends_at > :now AND starts_at <= :now LIMIT 1""")


def locked_message(tx: RawTransaction, person_id: int, now: datetime) -> str:
    """The refusal for a punch inside an approved timesheet (bot.services.payroll.locks words it)."""
    start, end = tx.execute(_LOCK, {"pid": person_id, "now": tx.timestamp(now)}).fetchone()  # type: ignore[attr-defined]
    as_date = (lambda v: date.fromisoformat(v) if isinstance(v, str) else v)
    return refusal("clock in", as_date(start), as_date(end))

"""Every knob opsbot has, read once from the environment and `.env` (pydantic-settings).

Validation happens here so that a bad value stops start-up with one sentence naming the
setting, instead of failing later in the middle of a Slack request.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.db.models import ROLES
from bot.services.escalations.policy import DEFAULT_POLICY, parse_policy
from bot.slack_ids import CHANNEL_ID_RE as _CHANNEL_RE
from bot.slack_ids import USER_ID_RE as _USER_RE

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
SECRET_FIELDS = {"slack_bot_token", "slack_signing_secret", "slack_app_token"}


def _split_ids(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)  # type: ignore[arg-type]


class Settings(BaseSettings):
    """opsbot's configuration. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = Field(None, description="Bot token (xoxb-...), OAuth & Permissions page")
    slack_signing_secret: str | None = Field(None, description="Signing secret, Basic Information page")
    slack_app_token: str | None = Field(None, description="App-level token (xapp-...) with connections:write; enables Socket Mode")
    slack_team_id: str | None = Field(None, description="Workspace (team) ID opsbot serves; requests from any other are refused. Learned from auth.test when unset")
    slack_api_url: str = Field(SLACK_DEFAULT_API_URL, description="Slack Web API base URL")
    database_url: str = Field("sqlite:///opsbot.db", description="SQLAlchemy database URL")
    port: int = Field(3000, ge=1, le=65535, description="HTTP port for Slack requests")
    team_timezone: str = Field("America/Los_Angeles", description="IANA time zone times are shown in")
    ops_channel: str | None = Field(None, description="Channel ID for the on-set board and ops posts")
    leadership_channel: str | None = Field(None, description="Channel ID for leadership digests")
    legal_channel: str | None = Field(None, description="Channel ID for brief approvals")
    escalation_channel: str | None = Field(None, description="Channel ID for escalations")
    opsbot_admins: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Associates (admins), comma-separated user IDs")
    opsbot_legal: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Legal reviewers, comma-separated user IDs")
    opsbot_leadership: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Leadership, comma-separated user IDs")
    checkin_early_window_minutes: int = Field(60, ge=0, le=720, description="How early a check-in may attach to a shift")
    open_checkin: bool = Field(False, description="Let anyone in the workspace clock in; off: only people with a host or PA role")
    late_grace_minutes: int = Field(5, ge=0, le=120, description="Minutes after call time before a check-in counts as late")
    max_entry_hours: int = Field(16, ge=1, le=48, description="Longest time entry accepted in an edit")
    min_rest_hours: float = Field(10, ge=0, le=48, description="Least rest between two shifts before assignment warns")
    overtime_weekly_hours: float = Field(40, gt=0, le=168, description="Scheduled hours per week (Mon-Sun) above which assignment warns")
    overtime_daily_hours: float = Field(8, gt=0, le=24, description="Scheduled hours per local day above which assignment warns")
    web_concurrency: int = Field(2, ge=1, le=64, description="gunicorn worker processes for `opsbot run`")
    web_threads: int = Field(16, ge=1, le=256, description="Threads per gunicorn worker")
    escalation_policy: str = Field(DEFAULT_POLICY, description="Re-escalation per severity: at/every/widen/nag minutes (see README)")
    escalation_responder_roles: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["associate", "leadership"],
        description="Roles that may acknowledge, resolve, reopen and snooze escalations, comma-separated")
    escalation_snooze_minutes: int = Field(30, ge=5, le=480, description="How long the Snooze button quiets an owned escalation's reminders")
    swap_auto_approve: bool = Field(False, description="Approve swaps between same-tier hosts without the associate (never with overtime)")
    swap_auto_approve_min_hours: float = Field(24, ge=0, le=720, description="Auto-approve only swaps accepted more than this many hours before the shift")
    swap_offer_expiry_hours: float = Field(2, ge=0, le=168, description="Untaken swap offers expire this many hours before the shift; the associate is alerted")
    notifier_poll_seconds: float = Field(2.0, gt=0, le=60, description="How often the notifier looks for outbox messages")
    outbox_retry_horizon_hours: float = Field(24, gt=0, le=24 * 14, description="How long a Slack message is retried through outages (5xx, 429, network) before it fails and the associate is told")
    board_min_interval_seconds: float = Field(3.0, ge=0, le=300, description="Shortest time between two edits of a live board")
    outbox_claim_seconds: float = Field(60.0, ge=1, le=600, description="How long a notifier holds a message it is sending; if its process dies mid-send, another process sends it after this")
    channel_pace_seconds: float = Field(1.0, ge=0, le=60, description="Shortest time between two messages the notifier posts to one channel (Slack allows about 1 a second)")
    tick_seconds: int = Field(60, ge=5, le=600, description="How often minute jobs (reminders, re-escalation) run")
    scheduler_standby_poll_seconds: float = Field(15.0, gt=0, le=300, description="How often a standby process checks whether the scheduler leader is gone")
    brief_digest_cron: str = Field("0 9 * * *", description="When the daily digest of pending briefs posts (crontab, team time zone)")
    scorecard_cron: str = Field("0 9 * * mon", description="When the weekly scorecard for the previous ISO week posts to LEADERSHIP_CHANNEL (crontab, team time zone)")
    home_refresh_seconds: float = Field(5.0, ge=0, le=600, description="App Home tabs are refreshed this long after the last change they show (debounced)")
    talent_tiers_file: str = Field("", description="Host tier criteria file (TOML); empty: the shipped bot/data/talent/tiers.toml")
    onboarding_nudge_cron: str = Field("0 9 * * *", description="When owners of overdue onboarding items get their daily nudge (crontab, team time zone)")
    audition_reminder_cron: str = Field("0 10 * * *", description="When reviewers of the next day's auditions are reminded (crontab, team time zone)")
    tier_evaluation_cron: str = Field("0 8 * * mon", description="When the weekly host tier evaluation posts its proposals to LEADERSHIP_CHANNEL (crontab, team time zone)")
    default_hourly_rate_cents: int = Field(2500, ge=0, le=100_000, description="Host pay per time-clock hour in cents, for labor cost and GMV per labor dollar")
    max_upload_uncompressed_mb: int = Field(50, ge=1, le=1024, description="Largest size a spreadsheet may unpack to (an .xlsx is a zip); bigger ones, and zip bombs, are refused before they are read")
    metrics_match_minutes: int = Field(15, ge=0, le=180, description="How far an export row's start time may be from the session's scheduled start to match it")
    scorecard_wow_threshold_pct: int = Field(15, ge=1, le=500, description="Week-over-week change (percent) in a headline metric that becomes an insight")
    scorecard_stockout_days: int = Field(7, ge=1, le=90, description="A SKU whose known stock runs out within this many days at its current velocity becomes an insight")
    scorecard_missed_checkins: int = Field(2, ge=1, le=20, description="Missed check-ins in a week by one person that become an insight")
    scorecard_promotion_weeks: int = Field(3, ge=1, le=12, description="Consecutive weeks above their tier's promotion bar before a host is recommended for promotion")
    scorecard_promotion_gmv_per_hour: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=lambda: {"Rookie": 400, "Core": 900},
        description="Promotion bar per host tier: GMV per host hour in dollars, e.g. Rookie=400,Core=900 (the top tier has none)")
    scorecard_slot_min_sessions: int = Field(3, ge=1, le=50, description="Sessions with metrics a day x start-hour slot needs before the scorecard calls it a best or worst slot")
    scorecard_targets_file: str | None = Field(None, description="TOML file with a [targets] table (gmv_week, gmv_per_live_hour, conversion, avg_view_duration, punctuality); /scorecard targets overrides it")
    monthly_scorecard_cron: str = Field("0 9 1-3 * mon-fri", description="When the monthly scorecard for the previous month posts to LEADERSHIP_CHANNEL: the first working day (crontab, team time zone; runs once per month)")
    ops_sync_cron: str = Field("30 9 * * mon", description="When the weekly ops-sync pack posts to OPS_CHANNEL (crontab, team time zone)")
    run_of_show_time: str = Field("08:00", description="When the daily run-of-show posts to OPS_CHANNEL (HH:MM, team time zone)")
    weekly_ros_cron: str = Field("0 15 * * fri", description="When next week's run-of-show posts (crontab, team time zone)")
    creator_digest_cron: str = Field("0 9 * * mon", description="When the weekly creator digest posts to OPS_CHANNEL (crontab, team time zone)")
    reminder_lead_minutes: int = Field(60, ge=1, le=1440, description="How long before a shift its person gets a reminder DM")
    missed_checkin_minutes: int = Field(10, ge=1, le=240, description="Minutes after a shift starts without a check-in before the associate is alerted")
    forgotten_checkout_hours: float = Field(2, gt=0, le=24, description="Hours after a shift ends with the entry still open before the person is asked to clock out")
    daily_post_grace_minutes: int = Field(60, ge=1, le=720, description="How late (after a restart) the daily run-of-show may still post")
    pay_period: str = Field("biweekly", description="Pay period: weekly, biweekly or semimonthly (1st-15th, 16th-end)")
    pay_period_anchor: date | None = Field(None, description="First day of any pay period (YYYY-MM-DD); needed for weekly and biweekly before payroll runs")
    workweek_start: str = Field("sunday", description="First day of the workweek for weekly overtime and the 7th day (monday..sunday)")
    workday_start: str = Field("00:00", description="When a workday begins (HH:MM, team time zone): hours split into workdays here")
    payroll_rules_file: str | None = Field(None, description="Pay rules TOML (overtime, meal, rest); default: the shipped California rules")
    auto_close_minutes: int = Field(60, ge=5, le=24 * 60, description="Minutes after a shift's end before a still-open entry is closed at the scheduled end, for review")
    timesheet_approve_roles: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["associate"], description="Roles that may approve (lock) timesheets in /timesheets, comma-separated")
    timesheet_unlock_roles: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["associate"], description="Roles that may unlock an approved timesheet (with a reason), comma-separated")
    invoice_note_over_cents: int = Field(100, ge=0, le=10_000_000, description="An invoice differing from approved hours x rate + session fees by more than this (cents) needs a note to approve")
    invoice_digest_cron: str = Field("0 9 * * mon", description="When the weekly invoice digest (waiting, queried, approved, paid) posts to LEADERSHIP_CHANNEL (crontab, team time zone)")
    adp_company_code: str = Field("OPS", description="ADP export: Co Code column")
    adp_codes: str = Field("DT=D,MEAL=MP,REST=RP", description="ADP export: Hours 3 codes for double time and the meal and rest premiums")
    log_level: str = Field("INFO", description="Log level (DEBUG, INFO, WARNING, ERROR)")
    brief_approvals_required: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=dict,
        description="Legal approvals a brief kind needs, e.g. talk_track=1,promo=2 (unlisted kinds need 1)")

    @field_validator("opsbot_admins", "opsbot_legal", "opsbot_leadership", mode="before")
    @classmethod
    def _parse_id_list(cls, value: object) -> list[str]:
        ids = _split_ids(value)
        bad = [i for i in ids if not _USER_RE.match(i)]
        if bad:
            raise ValueError(f"{', '.join(bad)} is not a Slack user ID (they look like U012ABCDEF)")
        return ids

    @field_validator("brief_approvals_required", mode="before")
    @classmethod
    def _parse_approvals(cls, value: object) -> dict[str, int]:
        from bot.db.briefs import BRIEF_KINDS

        if isinstance(value, dict):
            pairs = [(str(k), str(v)) for k, v in value.items()]
        else:
            pairs = []
            for part in _split_ids(value):
                kind, sep, count = part.partition("=")
                if not sep:
                    raise ValueError(f"'{part}' is not KIND=NUMBER (for example talk_track=1,promo=2)")
                pairs.append((kind.strip(), count.strip()))
        result: dict[str, int] = {}
        for kind, count in pairs:
            if kind not in BRIEF_KINDS:
                raise ValueError(f"'{kind}' is not a brief kind ({', '.join(BRIEF_KINDS)})")
            if not count.isdigit() or not 1 <= int(count) <= 5:
                raise ValueError(f"'{count}' for {kind} is not a number of approvals from 1 to 5")
            result[kind] = int(count)
        return result
    @field_validator("scorecard_promotion_gmv_per_hour", mode="before")
    @classmethod
    def _parse_promotion(cls, value: object) -> dict[str, int]:
        pairs = [(str(k), str(v)) for k, v in value.items()] if isinstance(value, dict) else \
            [tuple(p.strip() for p in part.partition("=")[::2]) for part in _split_ids(value)]
        result: dict[str, int] = {}
        for tier, dollars in pairs:
            if not tier or not dollars.isdigit():
                raise ValueError(f"'{tier}={dollars}' is not TIER=DOLLARS (for example Rookie=400,Core=900)")
            result[tier] = int(dollars)
        return result

    @field_validator("escalation_policy")
    @classmethod
    def _valid_policy(cls, value: str) -> str:
        parse_policy(value)
        return value

    @field_validator("escalation_responder_roles", "timesheet_approve_roles", "timesheet_unlock_roles", mode="before")
    @classmethod
    def _parse_roles(cls, value: object) -> list[str]:
        roles = [r.lower() for r in _split_ids(value)]
        bad = [r for r in roles if r not in ROLES]
        if bad:
            raise ValueError(f"names unknown roles {', '.join(bad)} (roles: {', '.join(ROLES)})")
        if not roles:
            raise ValueError("needs at least one role")
        return roles

    @field_validator("team_timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a known time zone (use an IANA name such as America/Los_Angeles)") from None
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _valid_api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError(f"'{value}' is not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _valid_db_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL (for example sqlite:///opsbot.db or postgresql+psycopg://user@host/db)") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"uses '{url.get_backend_name()}'; opsbot supports sqlite and postgresql")
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            value = value.replace("postgresql://", "postgresql+psycopg://", 1)
        if value.startswith("postgres://"):
            value = value.replace("postgres://", "postgresql+psycopg://", 1)
        return value

    @field_validator("ops_channel", "leadership_channel", "legal_channel", "escalation_channel")
    @classmethod
    def _valid_channel(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not _CHANNEL_RE.match(value):
            raise ValueError(f"'{value}' is not a Slack channel ID (they look like C012ABCDEF)")
        return value

    @field_validator("slack_team_id")
    @classmethod
    def _valid_team(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.match(r"^[TE][A-Z0-9]{2,14}$", value):
            raise ValueError(f"'{value}' is not a Slack team ID (they look like T012ABCDEF)")
        return value

    @field_validator("run_of_show_time", "workday_start")
    @classmethod
    def _valid_time(cls, value: str) -> str:
        m = re.match(r"^(\d{1,2}):(\d{2})$", value.strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValueError(f"'{value}' is not a time of day (HH:MM, 24-hour, e.g. 08:00)")
        return f"{int(m.group(1)):02d}:{m.group(2)}"

    @property
    def run_of_show_cron(self) -> str:
        """RUN_OF_SHOW_TIME as a daily crontab."""
        hour, minute = self.run_of_show_time.split(":")
        return f"{int(minute)} {int(hour)} * * *"

    @field_validator("brief_digest_cron", "scorecard_cron", "weekly_ros_cron", "monthly_scorecard_cron", "ops_sync_cron",
                     "creator_digest_cron", "invoice_digest_cron", "onboarding_nudge_cron", "audition_reminder_cron",
                     "tier_evaluation_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a crontab expression (five fields, e.g. 0 9 * * *)") from None
        return value

    @field_validator("pay_period")
    @classmethod
    def _valid_pay_period(cls, value: str) -> str:
        if value.strip().lower() not in ("weekly", "biweekly", "semimonthly"):
            raise ValueError(f"'{value}' is not a pay period (weekly, biweekly or semimonthly)")
        return value.strip().lower()

    @field_validator("workweek_start")
    @classmethod
    def _valid_weekday(cls, value: str) -> str:
        names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        if value.strip().lower() not in names:
            raise ValueError(f"'{value}' is not a day of the week (monday..sunday)")
        return value.strip().lower()

    @field_validator("log_level")
    @classmethod
    def _valid_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"'{value}' is not a log level")
        return level

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.team_timezone)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)


class ConfigError(Exception):
    """A setting is wrong; the message is one plain sentence naming it."""


def describe_validation_error(exc: ValidationError) -> str:
    sentences = []
    for err in exc.errors():
        name = str(err["loc"][0]).upper() if err["loc"] else "a setting"
        msg = str(err["msg"]).removeprefix("Value error, ")
        sentences.append(f"Setting {name} {msg}." if msg.startswith(("is ", "uses ")) else f"Setting {name}: {msg}.")
    return " ".join(sentences)


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into plain sentences (ConfigError)."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None


def mask(value: str | None) -> str:
    """Show enough of a secret to recognise it, never enough to use it."""
    if not value:
        return ""
    if len(value) <= 8:
        return "****"
    return f"{value[:5]}…{value[-4:]}"

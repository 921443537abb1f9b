"""`opsbot jobs list|run` tell the truth: no MISSED posts from before the database existed, a run that posted nothing
(its channel not set) is not recorded as done, weeks and dates are checked and a date picks its week."""

from __future__ import annotations

from cli_helpers import cli  # noqa: F401 (fixture)
from conftest import make_settings
from freezegun import freeze_time
from sqlalchemy import select

from bot.cli import build_parser
from bot.db.jobs import JobRun
from bot.jobs.base import run_post
from bot.jobs.registry import all_jobs
from bot.runtime import Runtime


def _migrated(cli, tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/jobs.db"
    assert cli(["migrate"], url)[0] == 0
    return url


def test_a_fresh_database_lists_no_missed_posts_from_before_it_existed(cli, tmp_path):
    with freeze_time("2026-11-25 20:00:00"):  # a Wednesday afternoon: the 08:00 post and Monday's scorecard are past
        url = _migrated(cli, tmp_path)
        code, out = cli(["jobs", "list"], url)
    assert code == 0 and "run-of-show" in out
    assert "MISSED" not in out, out
    with freeze_time("2026-11-26 20:00:00"):  # the next day's 08:00 post, due after the database existed, was missed
        code, out = cli(["jobs", "list"], url)
    assert "jobs run run-of-show --force" in out and "jobs run brief-digest --force" in out, out
    assert out.count("MISSED") == 2 and "2026-W47" not in out, out  # Monday's scorecard was due before the database


def test_a_run_with_no_channel_set_is_not_recorded_and_says_why(cli, tmp_path, monkeypatch):
    url = _migrated(cli, tmp_path)
    code, out = cli(["jobs", "run", "run-of-show", "--date", "2026-11-25"], url)
    assert code == 1 and "OPS_CHANNEL is not set" in out and "nothing posted" in out, out
    monkeypatch.setenv("OPS_CHANNEL", "C0OPS")
    code, out = cli(["jobs", "run", "run-of-show", "--date", "2026-11-25"], url)
    assert code == 0 and "already posted" not in out and "posted" in out, out


def test_every_post_job_without_its_channel_posts_nothing_and_holds_no_period(db, db_url):
    rt = Runtime.build(make_settings(db_url, ops_channel=None, leadership_channel=None, legal_channel=None), db)
    dm_only = {"onboarding-nudges", "audition-reminders"}  # they DM people: no channel to be missing
    for spec in all_jobs(rt.settings).values():
        if spec.kind != "post" or spec.name in dm_only:
            continue
        period = "2026-W47" if spec.period == "week" else "2026-11-25"
        outcome = run_post(rt, spec, period)
        assert "already posted" not in run_post(rt, spec, period), spec.name
        if "not set" in outcome:
            assert outcome.status == "not_run"
    with db.read() as s:
        assert s.scalars(select(JobRun).where(JobRun.status == "done", JobRun.result.like("%not set%"))).all() == []


def test_weeks_and_dates_are_checked_and_a_date_picks_its_week(cli, tmp_path, monkeypatch):
    url = _migrated(cli, tmp_path)
    code, out = cli(["jobs", "run", "weekly-run-of-show", "--week", "2026-W99"], url)
    assert code == 2 and "2026-W99" in out and "Traceback" not in out, out
    code, out = cli(["jobs", "run", "weekly-run-of-show", "--week", "next week"], url)
    assert code == 2 and "is not an ISO week" in out, out
    monkeypatch.setenv("OPS_CHANNEL", "C0OPS")
    code, out = cli(["jobs", "run", "weekly-run-of-show", "--date", "2027-03-19"], url)
    assert code == 0 and "2027-W11" in out, out
    code, out = cli(["jobs", "run", "run-of-show", "--week", "2027-W11"], url)
    assert code == 2 and "--date" in out, out
    code, out = cli(["jobs", "run", "run-of-show", "--date", "2026-02-30"], url)
    assert code == 2 and "2026-02-30" in out and "Traceback" not in out, out


def test_jobs_run_help_lists_the_job_names(db_url):
    parser = build_parser()
    run = parser._subparsers._group_actions[0].choices["jobs"]._subparsers._group_actions[0].choices["run"]
    text = run.format_help()
    for name in all_jobs(make_settings(db_url)):
        assert name in text, name

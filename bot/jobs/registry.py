"""Every scheduled job, by the name used in settings, the CLI and logs."""

from __future__ import annotations

import importlib

from bot.config import Settings
from bot.jobs.base import JobSpec

# Each module exposes `jobs(settings) -> list[JobSpec]`.
JOB_MODULES: list[str] = [
    "bot.jobs.escalations",
    "bot.jobs.brief_reminders",
    "bot.jobs.brief_digest",
    "bot.jobs.swap_expiry",
    "bot.jobs.scorecard",
    "bot.jobs.run_of_show",
    "bot.jobs.reporting",
    "bot.jobs.creators",
    "bot.jobs.payroll",
    "bot.jobs.talent",
]


def all_jobs(settings: Settings) -> dict[str, JobSpec]:
    specs: dict[str, JobSpec] = {}
    for name in JOB_MODULES:
        for spec in importlib.import_module(name).jobs(settings):
            specs[spec.name] = spec
    return specs

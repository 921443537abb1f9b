"""Import every model module so Base.metadata is complete (alembic and tests read it from here)."""

from bot.db import (briefs, claims, creators, escalations, jobs, metrics, models, payroll, reporting,  # noqa: F401
                    run_of_show, schedule, swaps, talent)
from bot.db.base import Base

metadata = Base.metadata

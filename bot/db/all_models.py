"""Import every model module so Base.metadata is complete (alembic and tests read it from here)."""

from bot.db import briefs, claims, escalations, jobs, metrics, models, run_of_show, schedule, swaps, talent  # noqa: F401
from bot.db.base import Base

metadata = Base.metadata

"""opsbot: the Slack bot that runs a TikTok Shop LIVE studio's day-to-day operations."""

__version__ = "0.1.0"

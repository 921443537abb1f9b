"""Errors a service raises to refuse an action. Their message is shown to the person as written."""

from __future__ import annotations


class OpsError(Exception):
    """A refusal in plain words. Nothing was changed when one is raised."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(OpsError):
    """The caller's roles do not permit this action."""


class NotFound(OpsError):
    """The record the action names does not exist (or no longer exists)."""


class Conflict(OpsError):
    """The action clashes with the current state (already clocked in, already decided...)."""


class Invalid(OpsError):
    """Bad input. `fields` maps a form field to its problem, for modal field errors."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}

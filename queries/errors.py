"""Errors a question raises for input the asker can fix (the interfaces map them to 422)."""

from __future__ import annotations


class QuestionError(ValueError):
    """A parameter out of range, an unknown relationship type, a malformed override."""

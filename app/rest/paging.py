"""Paging parameters shared by the REST routes that answer lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.exceptions import RequestValidationError

from app.settings import Settings

Limit = Annotated[int, Query(ge=1, description="Page size (capped by VALUEGRAPH_MAX_PAGE_SIZE).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def cap_limit(limit: int, settings: Settings) -> int:
    """Refuse a page size over VALUEGRAPH_MAX_PAGE_SIZE (422, naming the parameter)."""
    if limit > settings.max_page_size:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "limit"),
                    "msg": f"must be at most {settings.max_page_size}",
                    "type": "less_than_equal",
                }
            ]
        )
    return limit

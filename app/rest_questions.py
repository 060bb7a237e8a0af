"""REST routes for the questions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

"""REST routes for the imports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

"""The audit log: who changed or imported what, and when (label `AuditEvent`)."""

from __future__ import annotations

from typing import Any

from graph.labels import AUDIT_EVENT
from graph.model import now_iso
from graph.store import GraphStore

RECORD = f"""
CREATE (e:{AUDIT_EVENT} {{
  at: $at, actor: $actor, token_id: $token_id, role: $role,
  action: $action, target: $target, status: $status, detail: $detail
}})
"""

LIST = f"""
MATCH (e:{AUDIT_EVENT})
WHERE ($actor IS NULL OR e.actor = $actor)
  AND ($since IS NULL OR e.at >= $since)
  AND ($target IS NULL OR e.target CONTAINS $target)
RETURN properties(e) AS event
ORDER BY e.at DESC
SKIP $offset LIMIT $limit
"""


def record_event(
    store: GraphStore,
    *,
    actor: str,
    token_id: str,
    role: str,
    action: str,
    target: str,
    status: int,
    detail: str = "",
) -> None:
    store.execute(
        RECORD,
        {
            "at": now_iso(),
            "actor": _clipped(actor, 200),
            "token_id": _clipped(token_id, 100),
            "role": _clipped(role, 20),
            "action": _clipped(action, 300),
            "target": _clipped(target, 300),
            "status": status,
            "detail": _clipped(detail, 4000),
        },
    )


def _clipped(text: str, limit: int) -> str:
    """TEXT cut to LIMIT characters (marked), so no caller decides how much an event stores."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def list_events(
    store: GraphStore,
    *,
    actor: str | None = None,
    since: str | None = None,
    target: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    records = store.read(
        LIST, {"actor": actor, "since": since, "target": target, "limit": limit, "offset": offset}
    )
    return [dict(r["event"]) for r in records]

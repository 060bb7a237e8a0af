"""Answers rendered to JSON in the request's worker thread, and kept answers rendered once.

FastAPI renders a route's return value on the event loop, after the route's thread has
finished. The questions' answers are large (a bottleneck ranking of 1,000 rows, a health
report, a scenario comparison): under the adversarial load (bench/adversarial.py) their
rendering was two fifths of the interpreter's time, all of it on the loop that answers
`/healthz`. The routes of those answers return a `Response` rendered here instead, in
their own worker thread, byte for byte what FastAPI would send for the same model (its
`response_model` still documents it).

An answer kept per model revision (`queries.present`) is the same object every time it
is asked until the model changes, so its bytes are kept beside it: the next asks cost a
lookup, not a rendering.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from fastapi import Response
from pydantic import BaseModel

# Rendered kept answers, by the answer's identity. Each entry holds the answer itself, so
# its id cannot be reused by another object while the entry exists. Bounded in entries and
# in bytes (a scenario comparison of a large model renders to megabytes).
MAX_KEPT = 32
MAX_KEPT_BYTES = 16 << 20

_kept: OrderedDict[int, tuple[BaseModel, bytes]] = OrderedDict()
_lock = threading.Lock()


def _bytes(answer: BaseModel) -> bytes:
    # What FastAPI's `serialize_response` does for a response_model of the answer's own
    # class: by alias, nothing excluded.
    return type(answer).__pydantic_serializer__.to_json(answer, by_alias=True)


def rendered(answer: BaseModel, *, kept: bool = False) -> bytes:
    """The answer as JSON; `kept`: it is a kept answer (read-only), rendered once."""
    if not kept:
        return _bytes(answer)
    with _lock:
        entry = _kept.get(id(answer))
        if entry is not None and entry[0] is answer:
            _kept.move_to_end(id(answer))
            return entry[1]
    body = _bytes(answer)
    if len(body) > MAX_KEPT_BYTES:
        return body
    with _lock:
        _kept[id(answer)] = (answer, body)
        while len(_kept) > MAX_KEPT or sum(len(b) for _, b in _kept.values()) > MAX_KEPT_BYTES:
            _kept.popitem(last=False)
    return body


def json_answer(answer: BaseModel, *, kept: bool = False) -> Response:
    """The answer as an `application/json` response, rendered in the calling thread."""
    return Response(rendered(answer, kept=kept), media_type="application/json")

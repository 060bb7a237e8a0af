"""The walk options of a question, declared once per surface.

A question that walks (impact, depends-on, path) takes one `walk: WalkOptions` parameter.
`takes_walk` replaces it, in the signature that FastAPI, strawberry or typer read, with the
surface's own parameters for it (GraphQL arguments, CLI options), and builds the value from
them when the question is asked. So each surface writes its walk parameters once, not once
per question.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from queries.impact import WalkOptions

F = TypeVar("F", bound=Callable[..., Any])


def takes_walk(
    parameters: Sequence[inspect.Parameter], build: Callable[..., WalkOptions]
) -> Callable[[F], F]:
    """Give `fn(..., walk: WalkOptions, ...)` the parameters `parameters` in place of `walk`;
    `build(**those parameters)` makes the WalkOptions it is called with."""
    names = [p.name for p in parameters]

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)
        if "walk" not in signature.parameters:
            raise TypeError(f"{fn.__qualname__} takes no `walk` parameter")
        replaced: list[inspect.Parameter] = []
        for p in signature.parameters.values():
            replaced.extend(parameters if p.name == "walk" else [p])

        def walk_of(kwargs: dict[str, Any]) -> WalkOptions:
            return build(**{n: kwargs.pop(n) for n in names if n in kwargs})

        wrapper: Callable[..., Any]
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                walk = walk_of(kwargs)
                return await fn(*args, walk=walk, **kwargs)

        else:

            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                walk = walk_of(kwargs)
                return fn(*args, walk=walk, **kwargs)

        # The surfaces read parameters from the signature and the resolved annotations.
        hints = typing.get_type_hints(fn, include_extras=True)
        hints.pop("walk")
        hints.update({p.name: p.annotation for p in parameters})
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p.replace(annotation=hints.get(p.name, p.annotation)) for p in replaced]
        )
        wrapper.__annotations__ = hints
        return typing.cast(F, wrapper)

    return decorate


def parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    """One keyword parameter of a walk, as a surface declares it."""
    return inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation
    )

"""How a change travels through the graph: the propagation table, as data.

Every relationship is stored as `source -[TYPE]-> target`. For each relationship type
the table says which way a *change* travels along it:

- `forward`: a change to the source affects the target;
- `reverse`: a change to the target affects the source;
- `both`, or `none` (the relationship does not carry impact).

Relationships imported from ArchiMate without a valuegraph mapping are `RELATED_TO`
with their `original_type` (and `access_type` for Access); they are looked up under the
key `RELATED_TO:<original type>` (`RELATED_TO:access:<access type>` for Access), with
types normalised to lower case without a `Relationship` suffix or namespace prefix.

The defaults below can be overridden per request (`overrides`) or for a deployment with
the environment variable `VALUEGRAPH_PROPAGATION` holding a JSON object, e.g.
`{"USES": "none", "RELATED_TO:association": "both"}`. The impact, depends-on and path
questions, the bottleneck analysis and the health checks all read the same table.

Elements are ruled too, by ArchiMate type (`ELEMENT:<type>`): a change never enters an
element whose rule is `none` (by default the motivation and migration elements, groupings
and locations), so no explaining path runs through a Plateau; `ELEMENT:Plateau=both`
lets it in again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.archimate import ELEMENT_KINDS, ELEMENTS, RELATIONSHIP_KINDS
from graph.labels import CONTAINS, HAS_STAGE, RELATED_TO
from graph.schema import SCHEMA
from queries.errors import QuestionError


class Flow(StrEnum):
    FORWARD = "forward"
    REVERSE = "reverse"
    BOTH = "both"
    NONE = "none"


class PropagationError(QuestionError):
    """An override names an unknown relationship type or flow."""


@dataclass(frozen=True)
class Rule:
    key: str
    flow: Flow
    reason: str


RELATED = RELATED_TO
ACCESS = "access"
# ArchiMate's exchange format makes an Access relationship without accessType a Write.
DEFAULT_ACCESS_TYPE = "write"


def _typed(rel_type: str, flow: Flow, reason: str) -> Rule:
    return Rule(SCHEMA.rel(rel_type).type, flow, reason)


def _related(original_type: str, flow: Flow, reason: str) -> Rule:
    return Rule(f"{RELATED}:{original_type}", flow, reason)


F, R, B, N = Flow.FORWARD, Flow.REVERSE, Flow.BOTH, Flow.NONE


def _flow(forward: bool, backward: bool) -> Flow:
    return {(True, True): B, (True, False): F, (False, True): R}.get((forward, backward), N)


DEFAULT_RULES: tuple[Rule, ...] = (
    _typed("DEPENDS_ON", R, "A depends on B: a change to B affects A."),
    _typed("USES", R, "A uses platform B: a change to B affects A."),
    _typed("REQUIRES", R, "A stream or stage requires a capability: a change to it affects them."),
    _typed(
        "HAS_STAGE", R, "A stage is part of its stream: a change to the part affects the whole."
    ),
    _typed("CONTAINS", R, "A child capability is part of its parent: the part affects the whole."),
    _typed(
        "WRITES", F, "A platform writes a data asset: a change to the platform affects the data."
    ),
    _typed("READS", R, "A platform reads a data asset: a change to the data affects the platform."),
    _typed("OWNS", F, "A change to a team (reorganisation, lost capacity) affects what it owns."),
    _typed("SUPPORTS", F, "A change to a team affects the streams and stages it works for."),
    _typed("MEMBER_OF", N, "People are notified, not impacted."),
    _typed("ACCOUNTABLE_FOR", N, "People are notified, not impacted."),
    _typed("FUNDED_BY", N, "Funding is not a delivery dependency."),
    _typed("MEASURED_BY", N, "Measures observe a stream; they do not deliver it."),
    _typed("DECIDES_FOR", N, "Governance decides, it does not deliver."),
    # The ArchiMate relationships the mapping leaves as RELATED_TO, one rule per type (and
    # access type), derived from their declaration in `graph.archimate`.
    *(_related(k.name, _flow(k.forward, k.backward), k.reason) for k in RELATIONSHIP_KINDS),
)

# ArchiMate element types a change does not travel into by default (motivation,
# migration, groupings and locations: `graph.archimate`), as `ELEMENT:<type>` rules.
# `none`: the walk never enters such an element; `both` (an override): it does.
ELEMENT_KEY = "ELEMENT"
DEFAULT_ELEMENT_RULES: tuple[Rule, ...] = tuple(
    Rule(
        f"{ELEMENT_KEY}:{k.name}",
        N,
        f"ArchiMate {k.layer.value} element: kept and queryable, but a change does not "
        "travel through it.",
    )
    for k in ELEMENT_KINDS
    if not k.carries
)


def _norm(value: str) -> str:
    text = value.strip().lower().rsplit(":", 1)[-1]
    text = text.replace("_", "").replace("-", "").replace(" ", "")
    text = text.removesuffix("relationship") or text
    return _ALIASES.get(text, text)


# Spellings seen in ArchiMate tools' exports for the same relationship.
_ALIASES = {"realisation": "realization", "usedby": "serving"}  # UsedBy: ArchiMate 2 for Serving


def related_key(original_type: str | None, access_type: str | None = None) -> str:
    """The table key of an imported ArchiMate relationship."""
    kind = _norm(original_type or "")
    if kind == ACCESS:
        return f"{RELATED}:{ACCESS}:{_norm(access_type or DEFAULT_ACCESS_TYPE)}"
    return f"{RELATED}:{kind}"


def rel_key(rel_type: str, original_type: str | None = None, access_type: str | None = None) -> str:
    return related_key(original_type, access_type) if rel_type == RELATED else rel_type


def normalise_key(key: str) -> str:
    """Check an override key: a schema relationship type or `RELATED_TO:<original type>`."""
    head, _, rest = key.strip().partition(":")
    rel_type = head.strip().upper()
    if rel_type == ELEMENT_KEY:
        return element_key(rest)
    try:
        SCHEMA.rel(rel_type)
    except ValueError as exc:
        raise PropagationError(str(exc)) from None
    if rel_type != RELATED:
        if rest:
            raise PropagationError(f"only {RELATED} keys take an original type: {key!r}")
        return rel_type
    if not rest:
        raise PropagationError(f"{RELATED} needs an original type, e.g. {RELATED}:serving")
    kind, _, access = rest.partition(":")
    if _norm(kind) == ACCESS and not access:
        raise PropagationError(f"Access needs an access type, e.g. {RELATED}:access:read")
    return related_key(kind, access or None)


_ELEMENT_NAMES = {name.lower(): name for name in ELEMENTS}


def element_key(archimate_type: str) -> str:
    """The table key of an ArchiMate element type: `ELEMENT:<type>`, as declared."""
    name = _ELEMENT_NAMES.get(archimate_type.strip().lower())
    if name is None:
        raise PropagationError(
            f"unknown ArchiMate element type {archimate_type!r} in {ELEMENT_KEY}:<type>"
        )
    return f"{ELEMENT_KEY}:{name}"


def parse_flow(value: str) -> Flow:
    try:
        return Flow(value.strip().lower())
    except ValueError:
        known = ", ".join(f.value for f in Flow)
        raise PropagationError(f"unknown flow {value!r}; known: {known}") from None


def parse_overrides(items: Mapping[str, str] | list[str] | None) -> dict[str, Flow]:
    """Overrides from a mapping or from `KEY=flow` strings (CLI, REST query strings)."""
    if not items:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(items, Mapping):
        pairs = [(str(k), str(v)) for k, v in items.items()]
    else:
        for item in items:
            key, sep, value = item.partition("=")
            if not sep:
                raise PropagationError(f"expected KEY=flow, got {item!r}")
            pairs.append((key, value))
    parsed = {normalise_key(k): parse_flow(v) for k, v in pairs}
    for key, flow in parsed.items():
        if key.startswith(f"{ELEMENT_KEY}:") and flow not in (Flow.NONE, Flow.BOTH):
            raise PropagationError(f"{key} takes none (not entered) or both (walked through)")
    return parsed


@dataclass(frozen=True)
class PropagationTable:
    """The effective table: defaults, then configuration, then per-request overrides."""

    rules: Mapping[str, Rule] = field(default_factory=dict)
    # ArchiMate element types: `none` keeps a change out of such elements.
    elements: Mapping[str, Rule] = field(default_factory=dict)

    def inert(self, archimate_type: str | None) -> bool:
        """Whether a change stops short of an element of this ArchiMate type."""
        if not archimate_type:
            return False
        rule = self.elements.get(f"{ELEMENT_KEY}:{archimate_type}")
        return rule is not None and rule.flow is Flow.NONE

    def inert_types(self) -> list[str]:
        return sorted(k.split(":", 1)[1] for k, r in self.elements.items() if r.flow is Flow.NONE)

    def flow(self, key: str) -> Flow:
        rule = self.rules.get(key)
        return rule.flow if rule else Flow.NONE

    def flow_of(
        self, rel_type: str, original_type: str | None = None, access_type: str | None = None
    ) -> Flow:
        return self.flow(rel_key(rel_type, original_type, access_type))

    def carries(
        self,
        rel_type: str,
        original_type: str | None,
        access_type: str | None,
        *,
        from_source: bool,
    ) -> bool:
        """Whether a change at one end reaches the other: from the source end, or the target."""
        flow = self.flow_of(rel_type, original_type, access_type)
        if flow is Flow.BOTH:
            return True
        return flow is (Flow.FORWARD if from_source else Flow.REVERSE)

    def types_carrying(self, *, from_source: bool) -> list[str]:
        """Relationship types that may carry a change away from their source (or target) end.

        For RELATED_TO this is a pre-filter: the original type decides per relationship.
        """
        wanted = {Flow.BOTH, Flow.FORWARD if from_source else Flow.REVERSE}
        return sorted(
            {key.split(":", 1)[0] for key, rule in self.rules.items() if rule.flow in wanted}
        )

    def restricted_to(self, rel_types: list[str] | None) -> PropagationTable:
        """Only the given relationship types carry impact (a request's relationship filter)."""
        if not rel_types:
            return self
        keep = set()
        for t in rel_types:
            try:
                keep.add(SCHEMA.rel(t.strip().upper()).type)
            except ValueError as exc:
                raise PropagationError(str(exc)) from None
        return PropagationTable(
            {
                k: r if k.split(":", 1)[0] in keep else Rule(k, Flow.NONE, "filtered out")
                for k, r in self.rules.items()
            },
            self.elements,
        )

    def with_overrides(self, overrides: Mapping[str, Flow], reason: str) -> PropagationTable:
        if not overrides:
            return self
        rules, elements = dict(self.rules), dict(self.elements)
        for key, flow in overrides.items():
            held = elements if key.startswith(f"{ELEMENT_KEY}:") else rules
            held[key] = Rule(key, flow, reason)
        return PropagationTable(rules, elements)

    def as_list(self) -> list[dict[str, str]]:
        return [
            {"key": r.key, "flow": r.flow.value, "reason": r.reason}
            for r in [
                *sorted(self.rules.values(), key=lambda r: r.key),
                *sorted(self.elements.values(), key=lambda r: r.key),
            ]
        ]


# Relationships that join a part to its whole. The bottleneck analysis does not count them
# as a hop: a platform a stage uses is as close to the stream as one the stream uses itself.
PART_OF_KEYS: frozenset[str] = frozenset(
    {
        HAS_STAGE,
        CONTAINS,
        *(f"{RELATED}:{k.name}" for k in RELATIONSHIP_KINDS if k.part_of),
    }
)

DEFAULT_TABLE = PropagationTable(
    {r.key: r for r in DEFAULT_RULES}, {r.key: r for r in DEFAULT_ELEMENT_RULES}
)


class PropagationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VALUEGRAPH_", extra="ignore")

    propagation: dict[str, str] = Field(
        default_factory=dict, description="Overrides of the default propagation table."
    )


def propagation_table(
    overrides: Mapping[str, str] | list[str] | Mapping[str, Flow] | None = None,
    rel_types: list[str] | None = None,
) -> PropagationTable:
    """The table for one request: defaults, configuration, request overrides, type filter."""
    configured = parse_overrides(PropagationSettings().propagation)
    table = DEFAULT_TABLE.with_overrides(configured, "configured (VALUEGRAPH_PROPAGATION)")
    if isinstance(overrides, Mapping):
        overrides = {k: str(v) for k, v in overrides.items()}
    request = parse_overrides(overrides)
    table = table.with_overrides(request, "overridden for this request")
    return table.restricted_to(rel_types)

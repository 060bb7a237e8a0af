"""A synthetic enterprise model, written as an Open Group ArchiMate exchange file.

`generate(size, seed, out)` writes a model the exchange importer reads back into every
valuegraph type, the way an architecture tool would export it (no valuegraph ids or
types where ArchiMate has a natural form):

* value streams (`ValueStream`) composed of stage value streams chained by Triggering,
  which the importer turns into ordered `Stage`s;
* a three-level capability map (Composition → CONTAINS);
* layered platforms: technology (Node, SystemSoftware, TechnologyService) serving core
  application platforms serving domain application platforms (Serving → USES, or an
  Association typed `DEPENDS_ON`); which platform a dependant picks is Zipf-distributed,
  so a few platforms (identity, gateway, database cluster …) are used by very many;
* platforms reading (Zipf: a few data assets are read everywhere) and writing (about one
  writer each) data objects;
* teams of every Team Topologies type (BusinessActor in a "Teams" folder) owning
  platforms, data and capabilities, supporting streams and depending on each other;
  people (BusinessActor in a "People" folder) assigned to teams and accountable for
  streams and platforms;
* measures, investments and governance forums (typed with `valuegraph:type`), and
  business processes, interfaces, goals … kept as GenericElement / RELATED_TO.

Sizes are in elements: S ≈ 1k, M ≈ 10k, L ≈ 100k (≈ 400k relationships), XL ≈ 1M.
Everything is a pure function of (size, seed). The file is written as it is generated:
element ids are derived from indexes, so nothing but small per-kind tables (stage
counts, team types, sampling weights) is held in memory, whatever the size.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from graph.schema import TEAM_TYPES
from importers.exchange import EXCHANGE_NS
from importers.xmlstream import XSI_NS

SIZES: dict[str, int] = {"S": 1_000, "M": 10_000, "L": 100_000, "XL": 1_000_000}
MODEL_ID = "id-valuegraph-synthetic"
LANG = "en"
# Zipf exponents: how strongly dependants prefer the first (most shared) targets.
PLATFORM_SKEW = 1.0
DATA_SKEW = 0.9
OWNER_SKEW = 0.5

# Property definitions, written once at the end of the file: key -> (identifier, type).
_PROP_KEYS = (
    "valuegraph:type",
    "valuegraph:criticality",
    "valuegraph:team_type",
    "valuegraph:capacity",
    "valuegraph:classification",
    "valuegraph:unit",
    "valuegraph:target",
    "valuegraph:current",
    "valuegraph:direction",
    "valuegraph:funding_type",
    "valuegraph:amount",
    "valuegraph:currency",
    "valuegraph:period",
    "valuegraph:funding_model",
    "valuegraph:lifecycle_status",
    "valuegraph:purpose",
    "valuegraph:interaction_mode",
    "valuegraph:cadence",
    "valuegraph:decision_rights",
    "valuegraph:role",
    "valuegraph:email",
    "cost centre",
    "vendor",
    "lifecycle",
    "hosting",
)
_PROP_ID = {key: f"propid-{i + 1}" for i, key in enumerate(_PROP_KEYS)}
_NUMERIC = {"valuegraph:capacity", "valuegraph:target", "valuegraph:current", "valuegraph:amount"}

_DOMAINS = (
    "Customer",
    "Payments",
    "Lending",
    "Cards",
    "Savings",
    "Onboarding",
    "Claims",
    "Pricing",
    "Billing",
    "Orders",
    "Logistics",
    "Supply",
    "Risk",
    "Compliance",
    "Marketing",
    "Sales",
    "Service",
    "Partner",
    "Product",
    "Finance",
    "HR",
    "Procurement",
    "Treasury",
    "Fraud",
)
_NOUNS = (
    "Management",
    "Processing",
    "Analytics",
    "Engine",
    "Portal",
    "Hub",
    "Registry",
    "Ledger",
    "Gateway",
    "Service",
    "Workbench",
    "Catalogue",
    "Scheduler",
    "Store",
)
_VERBS = ("Discover", "Apply", "Assess", "Decide", "Agree", "Fulfil", "Activate", "Serve")
_SHARED_TECH = (
    "Identity Provider",
    "API Gateway",
    "Core Database Cluster",
    "Kubernetes Platform",
    "Enterprise Service Bus",
    "Observability Stack",
    "Event Streaming Platform",
    "Secrets Vault",
)
_SHARED_CORE = (
    "Customer Master",
    "Core Banking Ledger",
    "Document Management",
    "Notification Service",
    "Product Catalogue",
    "Pricing Engine",
)
_FIRST = ("Alex", "Sam", "Robin", "Kim", "Jo", "Chris", "Pat", "Lee", "Noor", "Ana", "Tom", "Eva")
_LAST = ("Smith", "Jansen", "Okafor", "Garcia", "Kowalski", "Chen", "Novak", "Silva", "Berg")
_GENERIC_TYPES = (
    "BusinessProcess",
    "ApplicationInterface",
    "BusinessService",
    "Goal",
    "Requirement",
    "BusinessEvent",
    "ApplicationFunction",
)
_TECH_TYPES = ("Node", "SystemSoftware", "TechnologyService", "Node", "Device")
_TEAM_MIX = (  # Team Topologies: mostly stream-aligned teams
    ("stream-aligned", 0.55),
    ("platform", 0.2),
    ("enabling", 0.08),
    ("complicated-subsystem", 0.1),
    ("specialist-function", 0.07),
)
assert {t for t, _ in _TEAM_MIX} == set(TEAM_TYPES)


@dataclass
class Counts:
    """How many of each kind a size gives (elements and relationships written)."""

    elements: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    @property
    def total_elements(self) -> int:
        return sum(self.elements.values())

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships.values())


class _Zipf:
    """Draws indexes 0..n-1 with weight 1/(i+1)^s: index 0 the most popular."""

    def __init__(self, n: int, s: float) -> None:
        self.n = n
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(n)))

    def draw(self, rng: random.Random) -> int:
        return min(self.n - 1, bisect.bisect_left(self.cum, rng.random() * self.cum[-1]))

    def distinct(self, rng: random.Random, k: int, exclude: int = -1) -> list[int]:
        k = min(k, self.n - (1 if 0 <= exclude < self.n else 0))
        got: dict[int, None] = {}
        tries = 0
        while len(got) < k and tries < 20 * k:
            i = self.draw(rng)
            tries += 1
            if i != exclude:
                got[i] = None
        return list(got)


@dataclass(frozen=True)
class Shape:
    """Counts per kind for a target number of elements, and the derived index tables."""

    streams: int
    stage_counts: tuple[int, ...]
    caps_l1: int
    tech: int
    core: int
    domain: int
    data: int
    teams: int
    team_types: tuple[str, ...]
    people: int
    investments: int
    forums: int
    generic: int

    @property
    def stages(self) -> int:
        return sum(self.stage_counts)

    @property
    def caps_l2(self) -> int:
        return self.caps_l1 * 6

    @property
    def caps_l3(self) -> int:
        return self.caps_l2 * 6

    @property
    def caps(self) -> int:
        return self.caps_l1 + self.caps_l2 + self.caps_l3

    @property
    def measures(self) -> int:
        return self.streams * 3

    @property
    def app(self) -> int:
        return self.core + self.domain


def shape(n: int, seed: int) -> Shape:
    rng = random.Random(f"{seed}:shape")
    streams = max(3, n // 200)
    stage_counts = tuple(rng.randint(3, 8) for _ in range(streams))
    caps_l1 = max(1, round(n * 0.06 / 43))
    teams = max(len(_TEAM_MIX), n * 4 // 100)
    types: list[str] = []
    for team_type, share in _TEAM_MIX:
        types += [team_type] * max(1, round(teams * share))
    types = types[:teams] + ["stream-aligned"] * (teams - len(types))
    rng.shuffle(types)
    tech = max(len(_SHARED_TECH), n * 8 // 100)
    core = max(len(_SHARED_CORE), n * 4 // 100)
    domain = max(4, n * 13 // 100)
    data = max(4, n * 18 // 100)
    people = max(4, n * 30 // 100)
    investments = streams + max(1, n * 15 // 1000)
    forums = max(1, n // 500)
    used = (
        streams * 4  # the stream and its three measures
        + sum(stage_counts)
        + caps_l1 * 43
        + tech
        + core
        + domain
        + data
        + teams
        + people
        + investments
        + forums
    )
    return Shape(
        streams=streams,
        stage_counts=stage_counts,
        caps_l1=caps_l1,
        tech=tech,
        core=core,
        domain=domain,
        data=data,
        teams=teams,
        team_types=tuple(types),
        people=people,
        investments=investments,
        forums=forums,
        generic=max(0, n - used),
    )


# -- ids -------------------------------------------------------------------------------
# Every id is derived from an index, so relationships can name elements without a table.


def stream_id(i: int) -> str:
    return f"vs-{i}"


def stage_id(i: int, j: int) -> str:
    return f"vs-{i}-stage-{j + 1}"


def cap_id(i: int) -> str:
    return f"cap-{i}"


def tech_id(i: int) -> str:
    return f"plat-t{i}"


def core_id(i: int) -> str:
    return f"plat-c{i}"


def domain_id(i: int) -> str:
    return f"plat-d{i}"


def data_id(i: int) -> str:
    return f"data-{i}"


def team_id(i: int) -> str:
    return f"team-{i}"


def person_id(i: int) -> str:
    return f"person-{i}"


def measure_id(i: int) -> str:
    return f"measure-{i}"


def investment_id(i: int) -> str:
    return f"inv-{i}"


def forum_id(i: int) -> str:
    return f"forum-{i}"


def generic_id(i: int) -> str:
    return f"el-{i}"


# -- writing -----------------------------------------------------------------------------

Props = Sequence[tuple[str, str | int | float]]


class _Writer:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.counts = Counts()
        self.rel_seq = 0

    def element(
        self,
        ident: str,
        xsi: str,
        name: str,
        props: Props = (),
        doc: str = "",
    ) -> None:
        w = self.out.write
        w(f'    <element identifier="{ident}" xsi:type="{xsi}">\n')
        w(f'      <name xml:lang="{LANG}">{escape(name)}</name>\n')
        if doc:
            w(f'      <documentation xml:lang="{LANG}">{escape(doc)}</documentation>\n')
        self._props(props, "      ")
        w("    </element>\n")
        self.counts.elements[xsi] = self.counts.elements.get(xsi, 0) + 1

    def rel(
        self,
        xsi: str,
        source: str,
        target: str,
        props: Props = (),
        access: str | None = None,
    ) -> None:
        self.rel_seq += 1
        extra = f' accessType="{access}"' if access else ""
        w = self.out.write
        head = (
            f'    <relationship identifier="rel-{self.rel_seq}" source="{source}" '
            f'target="{target}" xsi:type="{xsi}"{extra}'
        )
        if props:
            w(head + ">\n")
            self._props(props, "      ")
            w("    </relationship>\n")
        else:
            w(head + "/>\n")
        key = f"{xsi}:{access}" if access else xsi
        self.counts.relationships[key] = self.counts.relationships.get(key, 0) + 1

    def _props(self, props: Props, indent: str) -> None:
        if not props:
            return
        w = self.out.write
        w(f"{indent}<properties>\n")
        for key, value in props:
            w(
                f'{indent}  <property propertyDefinitionRef="{_PROP_ID[key]}">'
                f'<value xml:lang="{LANG}">{escape(str(value))}</value></property>\n'
            )
        w(f"{indent}</properties>\n")


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


def _platform_name(rng: random.Random, i: int, shared: tuple[str, ...]) -> str:
    if i < len(shared):
        return shared[i]
    return f"{_pick(rng, _DOMAINS)} {_pick(rng, _NOUNS)} {i}"


class _Generator:
    def __init__(self, n: int, seed: int, out: TextIO) -> None:
        self.n = n
        self.seed = seed
        self.s = shape(n, seed)
        self.w = _Writer(out)
        self.out = out
        s = self.s
        self.stage_start = list(itertools.accumulate((0, *s.stage_counts)))
        by_type: dict[str, list[int]] = {t: [] for t in TEAM_TYPES}
        for i, t in enumerate(s.team_types):
            by_type[t].append(i)
        self.teams_of = by_type

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")

    # -- elements --------------------------------------------------------------------

    def elements(self) -> None:
        s, w = self.s, self.w
        rng = self.rng("elements")
        for i in range(s.streams):
            domain = _DOMAINS[i % len(_DOMAINS)]
            name = f"{domain} {_pick(rng, ('Journey', 'Lifecycle', 'Fulfilment', 'Service'))} {i}"
            funding = "project" if rng.random() < 0.08 else "persistent"
            w.element(
                stream_id(i),
                "ValueStream",
                name,
                [
                    ("valuegraph:purpose", f"Deliver {domain.lower()} outcomes"),
                    ("valuegraph:funding_model", funding),
                    ("valuegraph:lifecycle_status", "active"),
                ],
                doc=f"The {name} value stream.",
            )
            for j in range(s.stage_counts[i]):
                verb = _VERBS[j % len(_VERBS)]
                w.element(stage_id(i, j), "ValueStream", f"{verb} ({name})")
        for i in range(s.caps):
            level = 1 if i < s.caps_l1 else (2 if i < s.caps_l1 + s.caps_l2 else 3)
            w.element(
                cap_id(i),
                "Capability",
                f"{_pick(rng, _DOMAINS)} {_pick(rng, _NOUNS)} L{level}-{i}",
            )
        crit = ("low", "medium", "medium", "high", "critical")
        for i in range(s.tech):
            props = [("valuegraph:criticality", "critical" if i < 20 else _pick(rng, crit))]
            props.append(("hosting", _pick(rng, ("on-premises", "cloud", "hybrid"))))
            w.element(
                tech_id(i),
                _TECH_TYPES[i % len(_TECH_TYPES)],
                _platform_name(rng, i, _SHARED_TECH),
                props,
            )
        for i in range(s.core):
            w.element(
                core_id(i),
                "ApplicationComponent",
                _platform_name(rng, i, _SHARED_CORE),
                [
                    ("valuegraph:criticality", "high" if i < 20 else _pick(rng, crit)),
                    ("vendor", _pick(rng, ("in-house", "SAP", "Oracle", "Salesforce", "Temenos"))),
                    ("cost centre", f"CC-{rng.randrange(100, 999)}"),
                ],
            )
        for i in range(s.domain):
            xsi = "ApplicationService" if i % 7 == 6 else "ApplicationComponent"
            w.element(
                domain_id(i),
                xsi,
                _platform_name(rng, i + 1000, ()),
                [
                    ("valuegraph:criticality", _pick(rng, crit)),
                    ("lifecycle", _pick(rng, ("invest", "maintain", "maintain", "retire"))),
                ],
            )
        classes = ("public", "internal", "internal", "confidential", "restricted")
        for i in range(s.data):
            xsi = ("DataObject", "DataObject", "BusinessObject", "Artifact")[i % 4]
            w.element(
                data_id(i),
                xsi,
                f"{_pick(rng, _DOMAINS)} {_pick(rng, ('Record', 'Event', 'Master Data', 'Report', 'Document'))} {i}",
                [("valuegraph:classification", _pick(rng, classes))],
            )
        for i, team_type in enumerate(s.team_types):
            capacity = rng.choice((4, 5, 6, 7, 8, 8, 9, 10, 12))
            w.element(
                team_id(i),
                "BusinessActor",
                f"{_pick(rng, _DOMAINS)} {team_type.replace('-', ' ').title()} Team {i}",
                [("valuegraph:team_type", team_type), ("valuegraph:capacity", capacity)],
            )
        roles = ("Engineer", "Engineer", "Engineer", "Product Owner", "Architect", "Analyst")
        for i in range(s.people):
            first, last = _pick(rng, _FIRST), _pick(rng, _LAST)
            w.element(
                person_id(i),
                "BusinessActor",
                f"{first} {last} {i}",
                [
                    ("valuegraph:role", _pick(rng, roles)),
                    ("valuegraph:email", f"{first.lower()}.{last.lower()}.{i}@example.com"),
                ],
            )
        units = (
            ("days", "lower-is-better"),
            ("%", "higher-is-better"),
            ("NPS", "higher-is-better"),
        )
        for i in range(s.measures):
            unit, direction = units[i % 3]
            w.element(
                measure_id(i),
                "Outcome",
                f"{('Lead time', 'Conversion', 'Satisfaction')[i % 3]} of stream {i // 3}",
                [
                    ("valuegraph:type", "Measure"),
                    ("valuegraph:unit", unit),
                    ("valuegraph:direction", direction),
                    ("valuegraph:target", rng.randint(10, 90)),
                    ("valuegraph:current", rng.randint(5, 95)),
                ],
            )
        for i in range(s.investments):
            project = rng.random() < (0.1 if i < s.streams else 0.4)
            w.element(
                investment_id(i),
                "WorkPackage",
                f"{'Project' if project else 'Capacity funding'} {i}",
                [
                    ("valuegraph:type", "Investment"),
                    ("valuegraph:funding_type", "project" if project else "persistent"),
                    ("valuegraph:amount", rng.randrange(100, 5000) * 1000),
                    ("valuegraph:currency", "EUR"),
                    ("valuegraph:period", "FY2026"),
                ],
            )
        for i in range(s.forums):
            w.element(
                forum_id(i),
                "BusinessCollaboration",
                f"{_DOMAINS[i % len(_DOMAINS)]} Portfolio Board {i}",
                [
                    ("valuegraph:type", "GovernanceForum"),
                    ("valuegraph:cadence", _pick(rng, ("weekly", "monthly", "quarterly"))),
                    ("valuegraph:decision_rights", "funding and priorities"),
                ],
            )
        for i in range(s.generic):
            xsi = _GENERIC_TYPES[i % len(_GENERIC_TYPES)]
            w.element(generic_id(i), xsi, f"{_pick(rng, _DOMAINS)} {xsi} {i}")

    # -- relationships ---------------------------------------------------------------------

    def relationships(self) -> None:
        s, w = self.s, self.w
        rng = self.rng("relationships")
        tech_z = _Zipf(s.tech, PLATFORM_SKEW)
        core_z = _Zipf(s.core, PLATFORM_SKEW)
        domain_z = _Zipf(s.domain, PLATFORM_SKEW * 0.8)
        l3 = _Zipf(s.caps_l3, 0.6)
        l3_base = s.caps_l1 + s.caps_l2

        # Streams: stages (Composition) in a Triggering chain; capabilities serve them.
        for i in range(s.streams):
            for j in range(s.stage_counts[i]):
                w.rel("Composition", stream_id(i), stage_id(i, j))
            for j in range(s.stage_counts[i] - 1):
                w.rel("Triggering", stage_id(i, j), stage_id(i, j + 1))
            for c in l3.distinct(rng, 2):
                w.rel("Serving", cap_id(l3_base + c), stream_id(i))
            for j in range(s.stage_counts[i]):
                for c in l3.distinct(rng, 3):
                    w.rel("Serving", cap_id(l3_base + c), stage_id(i, j))
                for p in domain_z.distinct(rng, 3):
                    w.rel("Serving", domain_id(p), stage_id(i, j))
        # A few streams depend on others (and two on each other: a cycle).
        for i in range(0, s.streams - 1, 10):
            w.rel("Serving", stream_id(i + 1), stream_id(i))
        if s.streams >= 4:
            w.rel("Serving", stream_id(2), stream_id(3))
            w.rel("Serving", stream_id(3), stream_id(2))
        # Capability map.
        for i in range(s.caps_l2):
            w.rel("Composition", cap_id(i // 6), cap_id(s.caps_l1 + i))
        for i in range(s.caps_l3):
            w.rel("Composition", cap_id(s.caps_l1 + i // 6), cap_id(l3_base + i))
        # Platforms serve the capabilities (a few capabilities have none).
        for i in range(s.caps_l3):
            if rng.random() < 0.03:
                continue
            for p in domain_z.distinct(rng, 4):
                w.rel("Serving", domain_id(p), cap_id(l3_base + i))
            for p in core_z.distinct(rng, 1):
                w.rel("Serving", core_id(p), cap_id(l3_base + i))
        # Layers: technology serves core and domain platforms, core serves domain.
        for i in range(s.tech):
            lower = [t for t in tech_z.distinct(rng, 2, exclude=i) if t < i]
            for t in lower[:1]:
                w.rel("Serving", tech_id(t), tech_id(i))
        for i in range(s.core):
            for t in tech_z.distinct(rng, 3):
                w.rel("Serving", tech_id(t), core_id(i))
            if rng.random() < 0.3:
                dep = core_z.draw(rng)
                if dep != i:
                    w.rel(
                        "Association", core_id(i), core_id(dep), [("valuegraph:type", "DEPENDS_ON")]
                    )
        for i in range(s.domain):
            for t in tech_z.distinct(rng, 3):
                w.rel("Serving", tech_id(t), domain_id(i))
            for c in core_z.distinct(rng, 3):
                if rng.random() < 0.25:
                    w.rel(
                        "Association", domain_id(i), core_id(c), [("valuegraph:type", "DEPENDS_ON")]
                    )
                else:
                    w.rel("Serving", core_id(c), domain_id(i))
        # Data: master data (a tenth) is written by core platforms only and read
        # everywhere, skewed to a few master data sets; the rest is written by one domain
        # platform each and read (or also written) by few others, so a change to an
        # application spreads through data only locally.
        masters = max(1, s.data // 10)
        master_z = _Zipf(masters, DATA_SKEW)
        for i in range(s.data):
            if i < masters:
                writer = core_id(rng.randrange(s.core))
            else:
                writer = domain_id(rng.randrange(s.domain))
            w.rel("Access", writer, data_id(i), access="Write")
        for i in range(s.app):
            reader = core_id(i) if i < s.core else domain_id(i - s.core)
            for d in master_z.distinct(rng, 4):
                w.rel("Access", reader, data_id(d), access="Read")
            if i >= s.core and s.data > masters and rng.random() < 0.3:
                d = masters + rng.randrange(s.data - masters)
                access = "Read" if rng.random() < 0.8 else "ReadWrite"
                w.rel("Access", reader, data_id(d), access=access)
        # Ownership: platform teams own technology and core platforms, stream-aligned and
        # complicated-subsystem teams the domain platforms, specialists the data.
        owners = {
            "tech": self._owner_pool(("platform",)),
            "core": self._owner_pool(("platform", "complicated-subsystem")),
            "domain": self._owner_pool(("stream-aligned", "complicated-subsystem")),
            "data": self._owner_pool(("specialist-function", "stream-aligned", "platform")),
            "caps": self._owner_pool(("stream-aligned", "enabling")),
        }
        kinds: tuple[tuple[str, int, Callable[[int], str], float], ...] = (
            ("tech", s.tech, tech_id, 0.97),
            ("core", s.core, core_id, 0.97),
            ("domain", s.domain, domain_id, 0.95),
            ("data", s.data, data_id, 0.9),
            ("caps", s.caps, cap_id, 0.4),
        )
        for kind, count, ident, share in kinds:
            pool, zipf = owners[kind]
            for i in range(count):
                if rng.random() < share:
                    w.rel("Assignment", team_id(pool[zipf.draw(rng)]), ident(i))
        # Stream-aligned teams support streams or their stages; others depend on platform
        # and enabling teams.
        aligned = self.teams_of["stream-aligned"]
        for k, t in enumerate(aligned):
            i = k % s.streams if k < s.streams else rng.randrange(s.streams)
            w.rel("Assignment", team_id(t), stream_id(i))
            if rng.random() < 0.5:
                j = rng.randrange(s.stage_counts[i])
                w.rel("Assignment", team_id(t), stage_id(i, j))
        # One team helps many streams: the model's planted overload.
        if aligned:
            for i in range(min(s.streams, 6)):
                w.rel("Assignment", team_id(aligned[0]), stream_id((i * 7 + 1) % s.streams))
        providers = self.teams_of["platform"] + self.teams_of["enabling"]
        modes = ("x-as-a-service", "x-as-a-service", "collaboration", "facilitating")
        for t in range(s.teams):
            if not providers or rng.random() < 0.2:
                continue
            p = providers[rng.randrange(len(providers))]
            if p != t:
                w.rel(
                    "Serving",
                    team_id(p),
                    team_id(t),
                    [("valuegraph:interaction_mode", _pick(rng, modes))],
                )
        # People: members of teams, accountable for streams and some platforms.
        for i in range(s.people):
            w.rel("Assignment", person_id(i), team_id(i % s.teams))
            if rng.random() < 0.1:
                w.rel("Assignment", person_id(i), team_id(rng.randrange(s.teams)))
        for i in range(s.streams):
            if i % 25 != 7:  # a few streams have no accountable owner
                w.rel("Assignment", person_id(rng.randrange(s.people)), stream_id(i))
        for i in range(0, s.domain, 10):
            w.rel("Assignment", person_id(rng.randrange(s.people)), domain_id(i))
        # Measures, funding, governance.
        for i in range(s.streams):
            if i % 40 == 13:
                continue  # exists only in decks
            for j in range(3):
                w.rel(
                    "Association",
                    stream_id(i),
                    measure_id(3 * i + j),
                    [("valuegraph:type", "MEASURED_BY")],
                )
            w.rel("Association", stream_id(i), investment_id(i), [("valuegraph:type", "FUNDED_BY")])
        for i in range(s.streams, s.investments):
            w.rel(
                "Association",
                core_id(rng.randrange(s.core)),
                investment_id(i),
                [("valuegraph:type", "FUNDED_BY")],
            )
        for i in range(s.forums):
            for k in range(3):
                target = stream_id((i * 3 + k) % s.streams)
                w.rel("Association", forum_id(i), target, [("valuegraph:type", "DECIDES_FOR")])
        # Everything else: processes served by platforms, flows, associations.
        for i in range(s.generic):
            for p in domain_z.distinct(rng, 3):
                w.rel("Serving", domain_id(p), generic_id(i))
            if i % 6 != 5 and i + 1 < s.generic:  # processes flow in short chains
                w.rel("Flow", generic_id(i), generic_id(i + 1))
            for c in l3.distinct(rng, 2):
                w.rel("Association", generic_id(i), cap_id(l3_base + c))

    def _owner_pool(self, types: tuple[str, ...]) -> tuple[list[int], _Zipf]:
        pool = [t for team_type in types for t in self.teams_of[team_type]] or list(
            range(self.s.teams)
        )
        return pool, _Zipf(len(pool), OWNER_SKEW)

    # -- folders and property definitions -------------------------------------------------

    def folders(self) -> Iterator[tuple[str, list[tuple[str, Iterator[str]]]]]:
        s = self.s

        def streams() -> Iterator[str]:
            for i in range(s.streams):
                yield stream_id(i)
                for j in range(s.stage_counts[i]):
                    yield stage_id(i, j)

        def platforms() -> Iterator[str]:
            yield from (core_id(i) for i in range(s.core))
            yield from (domain_id(i) for i in range(s.domain))

        yield (
            "Strategy",
            [
                ("Value Streams", streams()),
                ("Capabilities", (cap_id(i) for i in range(s.caps))),
            ],
        )
        yield (
            "Business",
            [
                ("Teams", (team_id(i) for i in range(s.teams))),
                ("People", (person_id(i) for i in range(s.people))),
                ("Governance", (forum_id(i) for i in range(s.forums))),
            ],
        )
        yield "Application", [("Platforms", platforms())]
        yield "Technology", [("Infrastructure", (tech_id(i) for i in range(s.tech)))]
        yield "Data", [("Information", (data_id(i) for i in range(s.data)))]

    def write(self) -> Counts:
        out = self.out
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(
            f"<model xmlns={quoteattr(EXCHANGE_NS)} xmlns:xsi={quoteattr(XSI_NS)} "
            f'identifier="{MODEL_ID}">\n'
        )
        out.write(
            f'  <name xml:lang="{LANG}">Synthetic enterprise ({self.n} elements, '
            f"seed {self.seed})</name>\n"
        )
        out.write(
            f'  <documentation xml:lang="{LANG}">Generated by valuegraph generate for '
            "benchmarks.</documentation>\n"
        )
        out.write("  <elements>\n")
        self.elements()
        out.write("  </elements>\n  <relationships>\n")
        self.relationships()
        out.write("  </relationships>\n  <organizations>\n")
        for top, subs in self.folders():
            out.write(f'    <item>\n      <label xml:lang="{LANG}">{top}</label>\n')
            for label, ids in subs:
                out.write(f'      <item>\n        <label xml:lang="{LANG}">{label}</label>\n')
                for ident in ids:
                    out.write(f'        <item identifierRef="{ident}"/>\n')
                out.write("      </item>\n")
            out.write("    </item>\n")
        out.write("  </organizations>\n  <propertyDefinitions>\n")
        for key, ref in _PROP_ID.items():
            kind = "number" if key in _NUMERIC else "string"
            out.write(
                f'    <propertyDefinition identifier="{ref}" type="{kind}">\n'
                f'      <name xml:lang="{LANG}">{escape(key)}</name>\n'
                "    </propertyDefinition>\n"
            )
        out.write("  </propertyDefinitions>\n</model>\n")
        return self.w.counts


def size_of(size: str) -> int:
    """Elements for a size name (S, M, L, XL) or a plain number."""
    key = size.strip().upper()
    if key in SIZES:
        return SIZES[key]
    try:
        n = int(key.replace("_", ""))
    except ValueError:
        raise ValueError(
            f"size must be one of {', '.join(SIZES)} or a number, not {size!r}"
        ) from None
    if n < 100:
        raise ValueError("a generated model has at least 100 elements")
    return n


def generate(size: str | int, seed: int, out: TextIO) -> Counts:
    """Write the synthetic model of `size` elements for `seed` to `out`; returns counts."""
    n = size if isinstance(size, int) else size_of(size)
    return _Generator(n, seed, out).write()

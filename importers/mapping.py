"""The type mapping, as data: shipped YAML files, overridable by the user's own file.

`load_mapping("archimate")` reads `archimate_mapping.yaml` next to this module; a user
file given with `--mapping` is merged over it key by key (an element type, a relationship
type or a setting at a time). Every label and relationship type named is checked against
the graph schema here, so a typo in a mapping file fails before any model is read.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.schema import SCHEMA, UnknownTypeError
from importers.bounded_yaml import EXPANSION_HINT, AliasExpansionError, safe_load
from importers.errors import ImportFailure

MAPPINGS_DIR = Path(__file__).parent
DEFAULT_FILES = {
    "archimate": MAPPINGS_DIR / "archimate_mapping.yaml",
    "backstage": MAPPINGS_DIR / "backstage_mapping.yaml",
}
Scalar = str | int | float | bool | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ElementRule(_Strict):
    """One way to pick another node type for an element: by folder, name or a property."""

    type: str
    folder: str | None = None
    name: str | None = None
    property: str | None = None
    equals: str | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")

    @field_validator("folder", "name")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid folder pattern {value!r}: {exc}") from exc
        return value

    def matches(self, folder: list[str], props: dict[str, Scalar], name: str = "") -> bool:
        if self.folder is not None and not any(re.search(self.folder, f) for f in folder):
            return False
        if self.name is not None and not re.search(self.name, name):
            return False
        if self.property is not None:
            wanted = self.property.lower()
            value = next((v for k, v in props.items() if k.lower() == wanted), None)
            if value is None:
                return False
            text = str(value).strip().lower()
            if self.equals is not None and text != self.equals.lower():
                return False
            if self.in_ is not None and text not in {v.lower() for v in self.in_}:
                return False
        return self.folder is not None or self.property is not None or self.name is not None


class ElementMap(_Strict):
    type: str
    set: dict[str, Scalar] = Field(default_factory=dict)
    rules: tuple[ElementRule, ...] = ()


class RelCandidate(_Strict):
    type: str
    reverse: bool = False
    access: tuple[str, ...] | None = None
    set: dict[str, Scalar] = Field(default_factory=dict)


class StageConfig(_Strict):
    enabled: bool = False
    parent_relationships: tuple[str, ...] = ()
    order_relationships: tuple[str, ...] = ()


def property_key(key: str) -> str:
    """A property key as field sources match it: case, spaces and punctuation aside
    ("End of Life", "end-of-life" and "lifecycle:endOfLife" minus its prefix read alike)."""
    return re.sub(r"[^0-9a-z]", "", key.lower())


class FieldSource(_Strict):
    """Where a typed field is read from under the names other tools give it.

    `keys` are tried in order (matched by `property_key`); the first one an element has
    sets the field. With `values`, the source's words are translated to the field's (and
    the source property stays, since the field then holds a translation); without, the
    value is read as the field's kind and the property is consumed.
    """

    keys: tuple[str, ...] = Field(min_length=1)
    values: dict[str, str] = Field(default_factory=dict)

    def translate(self, value: Scalar) -> Scalar:
        if not self.values:
            return value
        table = {property_key(k): v for k, v in self.values.items()}
        word = property_key(str(value))
        if word not in table:
            raise ValueError(f"{value!r} is not one of {', '.join(self.values)}")
        return table[word]


class ExportElement(_Strict):
    type: str
    by_field: dict[str, dict[str, str]] = Field(default_factory=dict)


class ExportConfig(_Strict):
    elements: dict[str, ExportElement] = Field(default_factory=dict)


class Mapping(_Strict):
    version: int = 1
    namespace: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,30}$")
    language: str | None = None
    unknown_types: Literal["error", "keep"] = "error"
    field_prefix: str = Field(default="valuegraph:", min_length=1)
    value_stream_stages: StageConfig = StageConfig()
    elements: dict[str, ElementMap] = Field(default_factory=dict)
    relationships: dict[str, tuple[RelCandidate, ...]] = Field(default_factory=dict)
    field_sources: dict[str, FieldSource] = Field(default_factory=dict)
    export: ExportConfig = ExportConfig()

    @property
    def reserved(self) -> str:
        """Prefix of the free-property keys this format's importer writes itself."""
        return f"{self.namespace}:"

    def check_schema(self) -> list[str]:
        """Every label, relationship type and field named, checked against the schema."""
        problems: list[str] = []

        def label_ok(where: str, label: str) -> bool:
            try:
                SCHEMA.node(label)
                return True
            except UnknownTypeError as exc:
                problems.append(f"{where}: {exc}")
                return False

        for name, emap in self.elements.items():
            if label_ok(f"elements.{name}", emap.type):
                node = SCHEMA.node(emap.type)
                problems += [
                    f"elements.{name}.set: {emap.type} has no field {f!r}"
                    for f in emap.set
                    if node.prop(f) is None
                ]
            for i, rule in enumerate(emap.rules):
                label_ok(f"elements.{name}.rules[{i}]", rule.type)
                if rule.folder is None and rule.property is None and rule.name is None:
                    problems.append(
                        f"elements.{name}.rules[{i}]: give `folder`, `name` or `property`"
                    )
        for name, candidates in self.relationships.items():
            for i, cand in enumerate(candidates):
                try:
                    rel = SCHEMA.rel(cand.type)
                except UnknownTypeError as exc:
                    problems.append(f"relationships.{name}[{i}]: {exc}")
                    continue
                problems += [
                    f"relationships.{name}[{i}].set: {cand.type} has no field {f!r}"
                    for f in cand.set
                    if rel.prop(f) is None
                ]
        for label in self.export.elements:
            label_ok(f"export.elements.{label}", label)
        for name, source in self.field_sources.items():
            props = [p for n in SCHEMA.nodes if (p := n.prop(name)) is not None]
            props += [p for r in SCHEMA.rels if (p := r.prop(name)) is not None]
            if not props:
                problems.append(f"field_sources.{name}: no node or relationship type has it")
                continue
            allowed = set(props[0].choices)
            bad = sorted(set(source.values.values()) - allowed) if allowed else []
            if bad:
                problems.append(
                    f"field_sources.{name}.values: {', '.join(bad)} not among "
                    f"{', '.join(props[0].choices)}"
                )
        return problems


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Expand the short forms: `Type: Label` and `[REL, ...]`."""
    out = dict(data)
    out["elements"] = {
        k: {"type": v} if isinstance(v, str) else v for k, v in (data.get("elements") or {}).items()
    }
    out["relationships"] = {
        k: [{"type": c} if isinstance(c, str) else c for c in (v or [])]
        for k, v in (data.get("relationships") or {}).items()
    }
    return out


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if key in ("elements", "relationships", "field_sources") and isinstance(value, dict):
            merged[key] = {**base.get(key, {}), **value}
        elif key == "export" and isinstance(value, dict):
            elements = {**(base.get("export") or {}).get("elements", {})}
            elements.update(value.get("elements") or {})
            merged[key] = {**(base.get("export") or {}), **value, "elements": elements}
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFailure(
            f"cannot read the mapping file: {exc.strerror}", file=path, hint="check the path"
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ImportFailure(
            f"malformed mapping YAML: {getattr(exc, 'problem', None) or exc}",
            file=path,
            line=mark.line + 1 if mark else None,
            hint=EXPANSION_HINT
            if isinstance(exc, AliasExpansionError)
            else "fix the YAML syntax at the reported line",
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ImportFailure(
            "a mapping file must be a YAML mapping (key: value) at the top level", file=path
        )
    return data


@cache
def _default(namespace: str) -> dict[str, Any]:
    return _normalise(_read_yaml(DEFAULT_FILES[namespace]))


def load_mapping(namespace: str, override: Path | None = None) -> Mapping:
    """The default mapping of a format family ("archimate", "backstage"), with overrides."""
    data = _default(namespace)
    source: Path = DEFAULT_FILES[namespace]
    if override is not None:
        data = _merge(data, _normalise(_read_yaml(override)))
        source = override
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ImportFailure(
            "invalid mapping: " + "; ".join(problems[:5]),
            file=source,
            hint="see importers/archimate_mapping.yaml for the expected shape",
        ) from exc
    problems = mapping.check_schema()
    if problems:
        raise ImportFailure(
            "the mapping names types or fields the graph schema does not have: "
            + "; ".join(problems[:5]),
            file=source,
            hint="use the node and relationship types listed by `valuegraph schema`",
        )
    return mapping

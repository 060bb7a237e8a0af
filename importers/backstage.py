"""Backstage software catalog YAML: one file of `---`-separated entities, or a folder of them.

Each document is an entity (`apiVersion: backstage.io/v1alpha1`, `kind`, `metadata`,
`spec`). Entities become elements whose id is the entity reference
`kind:namespace/name` (lower case, as Backstage compares them); relations are read from
the spec fields that hold references:

    spec.owner -> ownedBy          spec.dependsOn[] -> dependsOn
    spec.consumesApis[] -> consumesApi     spec.providesApis[] -> providesApi
    spec.system / spec.domain / spec.subcomponentOf / spec.subdomainOf -> partOf
    spec.memberOf[] (User) and spec.members[] (Group) -> memberOf
    spec.parent and spec.children[] (Group) -> childOf

YAML is read with the safe loader, document by document; anchors and aliases are not
expanded into copies, and only scalar values are taken from annotations and labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from importers.errors import ImportFailure, ReportWarning
from importers.raw import RawModel, RawRelationship, Scalar, new_model

NS = "backstage:"
YAML_SUFFIXES = (".yaml", ".yml")
# (spec field, relation, default kind of the referenced entity, reference points at us?)
REFERENCES: tuple[tuple[str, str, str, bool], ...] = (
    ("owner", "ownedBy", "group", False),
    ("dependsOn", "dependsOn", "component", False),
    ("consumesApis", "consumesApi", "api", False),
    ("providesApis", "providesApi", "api", False),
    ("system", "partOf", "system", False),
    ("domain", "partOf", "domain", False),
    ("subcomponentOf", "partOf", "component", False),
    ("subdomainOf", "partOf", "domain", False),
    ("memberOf", "memberOf", "group", False),
    ("parent", "childOf", "group", False),
    ("members", "memberOf", "user", True),
    ("children", "childOf", "group", True),
)


def catalog_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in YAML_SUFFIXES)
        if not files:
            raise ImportFailure(
                "no .yaml or .yml files in the folder",
                file=path,
                hint="point at a catalog-info.yaml or a folder holding them",
            )
        return files
    return [path]


def entity_ref(ref: str, default_kind: str, default_namespace: str) -> str:
    """Normalise "[kind:][namespace/]name" to "kind:namespace/name" in lower case."""
    kind, sep, rest = ref.partition(":")
    if not sep:
        kind, rest = default_kind, ref
    namespace, sep, name = rest.partition("/")
    if not sep:
        namespace, name = default_namespace, rest
    return f"{kind.strip()}:{namespace.strip()}/{name.strip()}".lower()


def _documents(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, document) for each YAML document of a file; errors name the line."""
    try:
        with path.open("rb") as stream:
            loader = yaml.SafeLoader(stream)
            try:
                while loader.check_node():
                    node = loader.get_node()
                    if node is None:  # pragma: no cover - check_node said there is one
                        break
                    yield node.start_mark.line + 1, loader.construct_document(node)
            finally:
                loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ImportFailure(
            f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
            file=path,
            line=mark.line + 1 if mark else None,
            hint="fix the YAML at the reported line (a catalog file is YAML documents "
            "separated by ---)",
        ) from exc


def _scalars(data: Any, prefix: str, out: dict[str, Scalar], warn: Callable[[str], None]) -> None:
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if isinstance(value, str | int | float | bool) or value is None:
            out[f"{prefix}{key}"] = value
        else:
            warn(f"{prefix}{key} is not a single value; skipped")


def _refs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def parse_backstage(
    path: Path,
    *,
    language: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> RawModel:
    """Read a catalog file or folder into a raw model (no mapping applied yet)."""
    files = catalog_files(path)
    model = new_model("backstage", [str(f) for f in files])
    model["source"] = f"{NS}{path.resolve().name}"
    model["model_id"] = path.resolve().name
    model["name"] = path.resolve().name
    warnings = model["warnings"]
    for file in files:
        for line, doc in _documents(file):
            if doc is None:
                continue
            _entity(model, doc, file, line, warnings)
        if on_bytes is not None:
            on_bytes(file.stat().st_size)
    model["language"] = language
    return model


def _entity(
    model: RawModel, doc: Any, file: Path, line: int, warnings: list[ReportWarning]
) -> None:
    def fail(message: str) -> ImportFailure:
        return ImportFailure(
            message,
            file=file,
            line=line,
            hint="each document needs apiVersion: backstage.io/…, kind, metadata.name "
            "(see https://backstage.io/docs/features/software-catalog/descriptor-format)",
        )

    if not isinstance(doc, dict):
        raise fail("not a Backstage entity: the document is not a mapping")
    api = str(doc.get("apiVersion") or "")
    if not api.startswith("backstage.io/"):
        raise fail(f"not a Backstage entity: apiVersion is {api or 'missing'!r}")
    kind = doc.get("kind")
    metadata = doc.get("metadata")
    if not isinstance(kind, str) or not kind or not isinstance(metadata, dict):
        raise fail("entity without kind or metadata")
    name = metadata.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail(f"{kind} entity without metadata.name")
    namespace = str(metadata.get("namespace") or "default")
    ident = entity_ref(f"{kind}:{namespace}/{name}", kind, namespace)
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    assert isinstance(spec, dict)

    def warn(message: str) -> None:
        warnings.append(
            ReportWarning("value-skipped", f"{ident}: {message}", str(file), line, ident)
        )

    if kind == "Location":
        warnings.append(
            ReportWarning(
                "location-skipped",
                f"{ident}: Location entities only point at other files; import those files "
                "(or their folder) directly",
                str(file),
                line,
                ident,
            )
        )
        return
    props: dict[str, Scalar] = {f"{NS}name": name, f"{NS}namespace": namespace}
    for field in ("type", "lifecycle"):
        if isinstance(spec.get(field), str):
            props[f"{NS}spec.{field}"] = spec[field]
    _scalars(metadata.get("annotations"), f"{NS}annotation/", props, warn)
    _scalars(metadata.get("labels"), f"{NS}label/", props, warn)
    profile = spec.get("profile") if isinstance(spec.get("profile"), dict) else {}
    assert isinstance(profile, dict)
    if kind == "User" and isinstance(profile.get("email"), str):
        props["valuegraph:email"] = profile["email"]
    display = profile.get("displayName") if isinstance(profile.get("displayName"), str) else None
    title = metadata.get("title") if isinstance(metadata.get("title"), str) else None
    tags = [t for t in metadata.get("tags") or [] if isinstance(t, str)][:100]
    model["elements"].append(
        {
            "id": ident,
            "type": kind,
            "name": display or title or name,
            "documentation": str(metadata.get("description") or ""),
            "properties": props,
            "extra": {},
            "folder": [],
            "tags": tags,
            "file": str(file),
            "line": line,
        }
    )
    for field, relation, default_kind, inverse in REFERENCES:
        for ref in _refs(spec.get(field)):
            other = entity_ref(ref, default_kind, namespace)
            rel: RawRelationship = {
                "type": relation,
                "source": other if inverse else ident,
                "target": ident if inverse else other,
                "properties": {},
                "extra": {},
                "file": str(file),
                "line": line,
            }
            model["relationships"].append(rel)

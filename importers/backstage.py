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

A repository's catalog folder holds other YAML too (OpenAPI specs an API entity names
with `$text`, CI and Kubernetes files): in a folder, a document that is not a Backstage
entity (or a file that is not YAML at all and declares no `apiVersion: backstage.io/…`) is
skipped with a warning. A file given on its own must be a catalog file. `Location`
entities are followed: each `target` (a relative path, a glob, or a relative URL) read if
it lies inside the imported tree (the folder imported, or the file's own folder), never
outside it; other targets are listed in a warning.

What the graph has no field for is kept as free properties under `backstage:`:
`metadata.links` as one JSON list (`backstage:links`), `spec.profile` of groups and users
as `backstage:profile.displayName|email|picture`, and an API's `spec.definition` as text
(`backstage:definition`, at most MAX_DEFINITION characters). A definition written as a
placeholder (`$text`, `$json`, `$yaml`: the way Backstage reads a file into a field) is
read from that file under the same rule as Location targets, and the placeholder itself
is kept in `backstage:definition.ref`; what cannot be read is named in a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from importers.bounded_yaml import EXPANSION_HINT, AliasExpansionError, BoundedLoader
from importers.errors import ImportFailure, ReportWarning
from importers.raw import RawModel, RawRelationship, Scalar, new_model

NS = "backstage:"
YAML_SUFFIXES = (".yaml", ".yml")
# Files read through Location targets: plenty for a real catalog, a bound for a loop.
MAX_FOLLOWED = 1000
# An API definition is kept as text up to this many characters (a large OpenAPI spec is
# about 100k); past it the definition is not stored, with a warning. It stays well under
# the exchange reader's 1 MiB bound on one text, so an export reads back.
MAX_DEFINITION = 256 * 1024
LINK_FIELDS = ("url", "title", "icon", "type")
PROFILE_FIELDS = ("displayName", "email", "picture")
# Backstage's placeholders: a one-key mapping whose key names how the file is read.
PLACEHOLDERS = ("$text", "$json", "$yaml")
# A file that does not parse is a broken catalog file only if it declares an entity
# (a Helm template may well carry a backstage.io/kubernetes-id label).
_DECLARES_ENTITY = re.compile(rb"apiVersion:\s*[\"']?backstage\.io/")
# What XML 1.0 cannot carry (YAML's "\x01" escapes can make it): refused on the way in.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
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


class NotCatalog(Exception):
    """A YAML file that is not even YAML, met where other files are skipped (a folder)."""


def _documents(path: Path, *, lenient: bool = False) -> Iterator[tuple[int, Any]]:
    """(line, document) for each YAML document of a file; errors name the line.

    `lenient`: a file that does not parse and declares no Backstage entity is not a
    catalog file (a Helm template, say): `NotCatalog` rather than a refusal.
    """
    try:
        with path.open("rb") as stream:
            loader = BoundedLoader(stream)
            try:
                while loader.check_node():
                    node = loader.get_node()
                    if node is None:  # pragma: no cover - check_node said there is one
                        break
                    yield node.start_mark.line + 1, loader.construct_document(node)
            finally:
                loader.dispose()
    except AliasExpansionError as exc:  # refused even where other failures are skipped
        raise ImportFailure(
            f"malformed YAML: {exc.problem}",
            file=path,
            line=exc.problem_mark.line + 1 if exc.problem_mark else None,
            hint=EXPANSION_HINT,
        ) from exc
    except yaml.YAMLError as exc:
        if lenient and not _DECLARES_ENTITY.search(path.read_bytes()):
            raise NotCatalog(str(exc)) from exc
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else _reader_line(path, exc)
        raise ImportFailure(
            f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
            file=path,
            line=line,
            hint="fix the YAML at the reported line (a catalog file is YAML documents "
            "separated by ---)",
        ) from exc
    except RecursionError as exc:
        raise ImportFailure(
            "malformed YAML: nested too deep to read",
            file=path,
            hint="no catalog entity nests this deep; the file is damaged or hostile",
        ) from exc


def _reader_line(path: Path, exc: yaml.YAMLError) -> int | None:
    """The line of a character the YAML reader refused (it gives only an offset)."""
    if not isinstance(exc, yaml.reader.ReaderError):
        return None
    text = path.read_bytes().decode("utf-8", errors="replace")
    return text[: exc.position].count("\n") + 1


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
    root = (path if path.is_dir() else path.parent).resolve()
    queue = [(f, path.is_dir()) for f in files]
    seen = {f.resolve() for f in files}
    while queue:
        file, lenient = queue.pop(0)
        try:
            for line, doc in _documents(file, lenient=lenient):
                if doc is None:
                    continue
                if lenient and not _is_entity(doc):
                    warnings.append(
                        ReportWarning(
                            "not-an-entity",
                            f"{_what(doc)}: not a Backstage entity; skipped",
                            str(file),
                            line,
                        )
                    )
                    continue
                for target in _entity(model, doc, file, line, root, warnings):
                    for found in _follow(target, file, line, root, warnings):
                        if found in seen:
                            continue  # read already (a folder is read whole)
                        if len(seen) >= len(files) + MAX_FOLLOWED:
                            warnings.append(
                                ReportWarning(
                                    "location-skipped",
                                    f"{found} not read: Location targets led to more than "
                                    f"{MAX_FOLLOWED} files; import the folder instead",
                                    str(file),
                                    line,
                                )
                            )
                            continue
                        seen.add(found)
                        queue.append((found, True))
                        model["files"].append(str(found))
        except NotCatalog:
            warnings.append(
                ReportWarning(
                    "not-an-entity",
                    "not YAML a catalog can read, and no Backstage entity declared in it; skipped",
                    str(file),
                )
            )
        if on_bytes is not None:
            on_bytes(file.stat().st_size)
    model["language"] = language
    return model


def _is_entity(doc: Any) -> bool:
    return isinstance(doc, dict) and str(doc.get("apiVersion") or "").startswith("backstage.io/")


def _what(doc: Any) -> str:
    """A few words saying what a skipped document is."""
    if isinstance(doc, dict):
        for key in ("openapi", "swagger", "asyncapi"):
            if key in doc:
                return f"an {key} {doc[key]} document"
        if doc.get("kind") or doc.get("apiVersion"):
            return f"a {doc.get('kind') or 'document'} of apiVersion {doc.get('apiVersion')!r}"
        keys = ", ".join(str(k) for k in list(doc)[:3])
        return f"a mapping of {keys}" if keys else "an empty mapping"
    return f"a {type(doc).__name__}"


def _follow(
    target: str, file: Path, line: int, root: Path, warnings: list[ReportWarning]
) -> list[Path]:
    """The catalog files a Location target names, when they are inside `root`."""

    def skip(why: str) -> list[Path]:
        warnings.append(
            ReportWarning(
                "location-skipped",
                f"Location target {target!r} not followed: {why}; import it directly",
                str(file),
                line,
            )
        )
        return []

    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or target.startswith("/"):
        return skip("it is not a path relative to this file, inside the imported tree")
    base = file.parent
    try:
        if any(c in target for c in "*?["):
            found = sorted(p.resolve() for p in base.glob(target) if p.is_file())
        else:
            candidate = (base / target).resolve()
            found = [candidate] if candidate.is_file() else []
    except (ValueError, NotImplementedError, OSError) as exc:
        return skip(f"not a usable path ({exc})")
    inside = [p for p in found if p.is_relative_to(root)]
    if not found:
        return skip("no such file")
    if not inside:
        return skip("it lies outside the imported tree")
    return inside


def _entity(
    model: RawModel,
    doc: Any,
    file: Path,
    line: int,
    root: Path,
    warnings: list[ReportWarning],
) -> list[str]:
    """Add the entity and its relations; a Location gives back its targets instead."""

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
        targets = [*_refs(spec.get("target")), *_refs(spec.get("targets"))]
        if not targets:
            warn("a Location without target or targets")
        return targets
    props: dict[str, Scalar] = {f"{NS}name": name, f"{NS}namespace": namespace}
    for field in ("type", "lifecycle"):
        if isinstance(spec.get(field), str):
            props[f"{NS}spec.{field}"] = spec[field]
    _scalars(metadata.get("annotations"), f"{NS}annotation/", props, warn)
    _scalars(metadata.get("labels"), f"{NS}label/", props, warn)
    if (links := _links(metadata.get("links"), warn)) is not None:
        props[f"{NS}links"] = links
    profile = spec.get("profile") if isinstance(spec.get("profile"), dict) else {}
    assert isinstance(profile, dict)
    for field in PROFILE_FIELDS:
        if isinstance(profile.get(field), str):
            props[f"{NS}profile.{field}"] = profile[field]
        elif profile.get(field) is not None:
            warn(f"spec.profile.{field} is not text; skipped")
    if kind == "User" and isinstance(profile.get("email"), str):
        props["valuegraph:email"] = profile["email"]
    if "definition" in spec:
        props.update(_definition(spec["definition"], file, root, warn))
    display = profile.get("displayName") if isinstance(profile.get("displayName"), str) else None
    title = metadata.get("title") if isinstance(metadata.get("title"), str) else None
    if title and display:  # the profile's name wins; the title is kept beside it
        props[f"{NS}title"] = title
    tags = [t for t in metadata.get("tags") or [] if isinstance(t, str)][:100]
    documentation = str(metadata.get("description") or "")
    for text in (display, title, name, documentation, *tags, *props, *props.values()):
        if isinstance(text, str) and (bad := _NOT_XML.search(text)):
            raise ImportFailure(
                f"{ident}: a value holds the control character U+{ord(bad.group()):04X}, "
                "which XML (and so the model's export) cannot carry",
                file=file,
                line=line,
                hint="remove the character (a YAML escape such as \\x01 writes it)",
            )
    model["elements"].append(
        {
            "id": ident,
            "type": kind,
            "name": display or title or name,
            "documentation": documentation,
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
    return []


def _links(value: Any, warn: Callable[[str], None]) -> str | None:
    """metadata.links as a JSON list of {url, title, icon, type}; None when there are none.

    One property for the whole list keeps the links' order and grouping, and reads back
    with one `json.loads`; a link without a url, or a field that is not text, is named.
    """
    if value is None:
        return None
    if not isinstance(value, list):
        warn("metadata.links is not a list; skipped")
        return None
    kept: list[dict[str, str]] = []
    for n, link in enumerate(value, start=1):
        if not isinstance(link, dict) or not isinstance(link.get("url"), str):
            warn(f"metadata.links[{n}] has no url; skipped")
            continue
        kept.append({k: link[k] for k in LINK_FIELDS if isinstance(link.get(k), str)})
        if other := sorted(str(k) for k in link if k not in kept[-1]):
            warn(f"metadata.links[{n}]: {', '.join(other)} not kept (not text, or unknown)")
    return json.dumps(kept, ensure_ascii=False) if kept else None


def _definition(
    value: Any, file: Path, root: Path, warn: Callable[[str], None]
) -> dict[str, Scalar]:
    """spec.definition as `backstage:definition` (text), and its placeholder if it had one.

    A placeholder's file is read only inside the imported tree, as Location targets are;
    a URL is not fetched. Whatever is not kept is named in a warning.
    """
    out: dict[str, Scalar] = {}
    what = "spec.definition"
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in PLACEHOLDERS:
        how, target = next(iter(value.items()))
        if not isinstance(target, str):
            warn(f"spec.definition {how} does not name a file; skipped")
            return out
        out[f"{NS}definition.ref"] = f"{how}: {target}"
        what = f"spec.definition {how} {target!r}"
        text = _placeholder_text(how, target, file, root, warn)
        if text is None:
            return out
    elif isinstance(value, str):
        text = value
    elif value is None:
        return out
    else:
        # Backstage wants text here; a mapping written inline is kept as its JSON.
        text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
        warn("spec.definition is not text; kept as JSON")
    if len(text) > MAX_DEFINITION:
        warn(f"{what} has {len(text)} characters, over the {MAX_DEFINITION} kept; not stored")
        return out
    if bad := _NOT_XML.search(text):
        warn(
            f"{what} holds the control character U+{ord(bad.group()):04X}, which XML "
            "cannot carry; not stored"
        )
        return out
    out[f"{NS}definition"] = text
    return out


def _placeholder_text(
    how: str, target: str, file: Path, root: Path, warn: Callable[[str], None]
) -> str | None:
    """The text of the file a `$text`/`$json`/`$yaml` placeholder names, if inside `root`."""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or target.startswith("/"):
        warn(f"spec.definition {how} {target!r} not read: not a path inside the imported tree")
        return None
    path = (file.parent / target).resolve()
    if not path.is_relative_to(root):
        warn(f"spec.definition {how} {target!r} not read: it lies outside the imported tree")
        return None
    if not path.is_file():
        warn(f"spec.definition {how} {target!r} not read: no such file")
        return None
    if path.stat().st_size > 4 * MAX_DEFINITION:  # surely over, once decoded: not read
        warn(
            f"spec.definition {how} {target!r} not read: over the {MAX_DEFINITION} characters kept"
        )
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        warn(f"spec.definition {how} {target!r} not read: {exc}")
        return None
    if how == "$json":
        try:
            json.loads(text)
        except ValueError as exc:
            warn(f"spec.definition $json {target!r}: not JSON ({exc}); kept as text")
    return text

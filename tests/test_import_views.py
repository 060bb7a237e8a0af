"""Views keep their drawing: nodes, bounds, nesting, styles, connections and bendpoints
are read from Archi's files and exchange files, kept on the view, and exported back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, fromstring

import pytest

from graph.store import GraphStore
from importers import diagrams
from importers.archi import parse_archi
from importers.exchange import EXCHANGE_NS, parse_exchange
from importers.export import export_exchange
from importers.mapping import load_mapping
from importers.pipeline import run_import
from importers.transform import transform

VIEWS = Path(__file__).parent / "data" / "imports" / "views"
X = f"{{{EXCHANGE_NS}}}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

# The drawing of views/drawn.*, worked out by hand from drawn.archimate: a nested shape's
# bounds added to its group's, Archi's default size (120 x 55) for width/height -1, then
# everything moved right by 12 because the note starts at x=-12. Bendpoints: offsets from
# the centres of both ends, blended by position along the line (1/3, 2/3), as Archi does.
GEOMETRY: dict[str, dict[str, Any]] = {
    "id-d-group": {"kind": "group", "label": "Applications", "bounds": (36, 36, 400, 160)},
    "id-d-portal": {
        "kind": "element",
        "ref": "id-e-portal",
        "parent": "id-d-group",
        "bounds": (48, 72, 120, 55),
    },
    "id-d-claims": {
        "kind": "element",
        "ref": "id-e-claims",
        "parent": "id-d-group",
        "bounds": (288, 72, 120, 55),
    },
    "id-d-handle": {"kind": "element", "ref": "id-e-handle", "bounds": (504, 264, 145, 61)},
    "id-d-note": {
        "kind": "note",
        "label": "Drawn in Archi;\r\nkept as drawn.",
        "bounds": (0, 264, 185, 80),
    },
    "id-d-ref": {"kind": "view", "ref": "id-v-second", "bounds": (264, 264, 120, 55)},
}
CONNECTIONS: dict[str, dict[str, Any]] = {
    "id-d-flow": {"relationship": "id-r-flow", "ends": ("id-d-portal", "id-d-claims")},
    # An association to a relationship: a line ending on another line.
    "id-d-assoc": {"relationship": "id-r-assoc", "ends": ("id-d-portal", "id-d-serves")},
    "id-d-serves": {
        "relationship": "id-r-serves",
        "ends": ("id-d-claims", "id-d-handle"),
        "bendpoints": [(348, 180), (576, 180)],
    },
    "id-d-line": {"relationship": None, "ends": ("id-d-note", "id-d-group")},
}
# Styles as Archi's file states them (only what was changed from the defaults).
ARCHI_STYLES: dict[str, dict[str, Any]] = {
    "id-d-group": {"fill": "#ffe0c0", "text_alignment": "left"},
    "id-d-portal": {
        "font_name": "Segoe UI",
        "font_size": 9.0,
        "font_style": "bold",
        "font_color": "#0000ff",
    },
    "id-d-claims": {"fill_alpha": 50, "line": "#ff0000"},  # alpha 128 of 255
    "id-d-handle": {"text_alignment": "right"},
    "id-d-note": {"text_position": "middle"},
    "id-d-ref": {},
    "id-d-flow": {"font_name": "Arial", "font_size": 8.0, "font_style": "italic"},
    "id-d-assoc": {},
    "id-d-serves": {"line": "#5c5c5c", "line_width": 2},
    "id-d-line": {},
}
# Archi's exchange export writes every colour and font out, defaults included; read as
# the defaults they are, they leave what Archi's own file states, less the text alignment
# and position the exchange format has no place for.
EXCHANGE_STYLES: dict[str, dict[str, Any]] = {
    "id-d-group": {"fill": "#ffe0c0"},
    "id-d-portal": ARCHI_STYLES["id-d-portal"],
    "id-d-claims": {"fill_alpha": 50, "line": "#ff0000"},
    "id-d-handle": {},
    "id-d-note": {},
    "id-d-ref": {},
    "id-d-flow": ARCHI_STYLES["id-d-flow"],
    "id-d-assoc": {},
    "id-d-serves": {"line": "#5c5c5c", "line_width": 2},
    "id-d-line": {},
}


def view_warnings(report: dict[str, Any]) -> list[tuple[str, str | None]]:
    # (The association to a relationship is reported as attached to its source element.)
    return [(w["code"], w["subject"]) for w in report["warnings"] if w["code"].startswith("view")]


def layout(store: GraphStore, view_id: str) -> dict[str, Any] | None:
    records, _, _ = store.driver.execute_query(
        "MATCH (v:Element {id: $id}) RETURN v.properties AS props", id=view_id
    )
    props = json.loads(records[0]["props"])
    text = props.get("archimate:diagram")
    return json.loads(text) if text is not None else None


def geometry(drawing: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Shapes and connections by id, without their styles."""
    nodes = {
        n["id"]: {
            "kind": n["kind"],
            **({"ref": n["ref"]} if "ref" in n else {}),
            **({"label": n["label"]} if n.get("label") else {}),
            **({"parent": n["parent"]} if "parent" in n else {}),
            "bounds": tuple(n["bounds"][k] for k in ("x", "y", "w", "h")),
        }
        for n in drawing["nodes"]
    }
    conns = {
        c["id"]: {
            "relationship": c.get("relationship"),
            "ends": (c["source"], c["target"]),
            **(
                {"bendpoints": [(p["x"], p["y"]) for p in c["bendpoints"]]}
                if c.get("bendpoints")
                else {}
            ),
        }
        for c in drawing.get("connections", [])
    }
    return nodes, conns


def styles(drawing: dict[str, Any]) -> dict[str, Any]:
    items = [*drawing["nodes"], *drawing.get("connections", [])]
    return {i["id"]: i.get("style", {}) for i in items}


@pytest.mark.parametrize(
    ("model", "expected_styles"),
    [("drawn.archimate", ARCHI_STYLES), ("drawn.xml", EXCHANGE_STYLES)],
)
def test_a_view_is_kept_with_its_absolute_layout_and_styles(
    store: GraphStore, model: str, expected_styles: dict[str, Any]
) -> None:
    report = run_import(store, VIEWS / model)

    assert view_warnings(report) == []
    drawing = layout(store, "id-v-main")
    assert drawing is not None
    assert geometry(drawing) == (GEOMETRY, CONNECTIONS)
    assert styles(drawing) == expected_styles
    # Parents come before the shapes they hold.
    order = [n["id"] for n in drawing["nodes"]]
    assert order.index("id-d-group") < order.index("id-d-portal")
    second = layout(store, "id-v-second")
    assert second is not None
    assert geometry(second) == (
        {"id-d-handle2": {"kind": "element", "ref": "id-e-handle", "bounds": (12, 12, 120, 55)}},
        {},
    )


def nodes_of(view: Element) -> list[Element]:
    return [n for n in view.iter(f"{X}node")]


def check_exchange_structure(root: Element) -> None:
    """What an exchange reader (Archi's among them) relies on, checked by hand."""
    elements = {e.get("identifier") for e in root.iter(f"{X}element")}
    relationships = {r.get("identifier") for r in root.iter(f"{X}relationship")}
    views = {v.get("identifier") for v in root.iter(f"{X}view")}
    idents = [e.get("identifier") for e in root.iter() if e.get("identifier")]
    assert len(idents) == len(set(idents))
    for view in root.iter(f"{X}view"):
        shapes = {n.get("identifier") for n in nodes_of(view)}
        lines = {c.get("identifier") for c in view.iter(f"{X}connection")}
        for node in nodes_of(view):
            for attr in ("x", "y", "w", "h"):
                assert int(node.get(attr) or "") >= 0, (node.attrib, attr)
            kind = node.get(XSI_TYPE)
            assert kind in ("Element", "Container", "Label")
            if kind == "Element":
                assert node.get("elementRef") in elements
            for ref in node.iter(f"{X}viewRef"):
                assert ref.get("ref") in views
        for conn in view.iter(f"{X}connection"):
            if conn.get(XSI_TYPE) == "Relationship":
                assert conn.get("relationshipRef") in relationships
            else:
                assert conn.get(XSI_TYPE) == "Line" and conn.get("relationshipRef") is None
            assert {conn.get("source"), conn.get("target")} <= shapes | lines
            for point in conn.iter(f"{X}bendpoint"):
                assert int(point.get("x") or "") >= 0 and int(point.get("y") or "") >= 0


@pytest.mark.parametrize("model", ["drawn.archimate", "drawn.xml"])
def test_export_then_import_gives_the_same_diagrams(
    store: GraphStore, tmp_path: Path, model: str
) -> None:
    first = run_import(store, VIEWS / model)
    before = {v: layout(store, v) for v in ("id-v-main", "id-v-second")}
    exported = tmp_path / "export.xml"
    with exported.open("w", encoding="utf-8") as out:
        counts = export_exchange(store, out, source=first["source"])
    assert counts["views"] == 2

    root = fromstring(exported.read_bytes())
    check_exchange_structure(root)
    view = next(v for v in root.iter(f"{X}view") if v.get("identifier") == "id-v-main")
    # Drawn as imported: nested in the group, at the absolute place, with the bendpoints.
    group = next(n for n in view if n.get("identifier") == "id-d-group")
    assert group.get(XSI_TYPE) == "Container"
    assert [(n.get("identifier"), n.get("x"), n.get("y")) for n in group.iter(f"{X}node")][1:] == [
        ("id-d-portal", "48", "72"),
        ("id-d-claims", "288", "72"),
    ]
    serves = next(c for c in view.iter(f"{X}connection") if c.get("identifier") == "id-d-serves")
    assert [(p.get("x"), p.get("y")) for p in serves.iter(f"{X}bendpoint")] == [
        ("348", "180"),
        ("576", "180"),
    ]
    assert not any(n.get("identifier", "").startswith("id-v-main-n") for n in nodes_of(view))

    store.clear()
    again = run_import(store, exported)

    assert view_warnings(again) == []
    for view_id, drawing in before.items():
        after = layout(store, view_id)
        assert after is not None and drawing is not None
        assert geometry(after) == geometry(drawing)
        assert styles(after) == styles(drawing)
        assert after == drawing  # the order of shapes and lines too
    # And on top of the first import, nothing changes.
    on_top = run_import(store, exported)
    assert on_top["diff"]["nodes"]["total"] == {"added": 0, "changed": 0, "removed": 0}


@pytest.mark.parametrize(
    ("element", "shape", "counts", "lines_kept"),
    [
        # The lines drawing its two relationships (flow and serving) go with it, and so
        # does the association to the serving relationship, skipped with it.
        (
            '<element xsi:type="archimate:ApplicationComponent" name="Claims System" '
            'id="id-e-claims"/>',
            "id-d-claims",
            (1, 3, 0),
            {"id-d-line"},
        ),
        # Serving goes with the process; the association to it is kept (attached to its
        # source element), but its line ended on the serving line, which is gone.
        (
            '<element xsi:type="archimate:BusinessProcess" name="Handle Claim" id="id-e-handle"/>',
            "id-d-handle",
            (1, 1, 1),
            {"id-d-flow", "id-d-line"},
        ),
    ],
)
def test_shapes_of_elements_not_imported_are_left_out_with_a_warning(
    store: GraphStore,
    tmp_path: Path,
    element: str,
    shape: str,
    counts: tuple[int, int, int],
    lines_kept: set[str],
) -> None:
    text = (VIEWS / "drawn.archimate").read_text(encoding="utf-8")
    assert element in text
    trimmed = tmp_path / "trimmed.archimate"
    trimmed.write_text(text.replace(element, ""), encoding="utf-8")

    report = run_import(store, trimmed)

    trims = [w for w in report["warnings"] if w["code"] == "view-layout-trimmed"]
    assert (trims[0]["subject"], trims[0]["line"]) == ("id-v-main", 28)
    shapes, rels, ending = counts
    assert (
        f"{shapes} shape(s) drawing an element or view that was not imported, "
        f"{rels} connection(s) drawing a relationship that was not imported, "
        f"{ending} connection(s) ending on what was left out"
    ) in trims[0]["msg"]
    drawing = layout(store, "id-v-main")
    assert drawing is not None
    nodes, conns = geometry(drawing)
    assert nodes == {k: v for k, v in GEOMETRY.items() if k != shape}
    assert conns == {k: v for k, v in CONNECTIONS.items() if k in lines_kept}
    # The second view draws the process alone: without it, an empty drawing.
    second = layout(store, "id-v-second")
    assert second == ({} if shape == "id-d-handle" else second) and second is not None
    assert len(trims) == (2 if shape == "id-d-handle" else 1)


def test_a_layout_too_large_is_not_kept_and_the_view_is_exported_on_a_grid(
    store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagrams, "MAX_DIAGRAM_CHARS", 500)

    report = run_import(store, VIEWS / "drawn.archimate")

    assert view_warnings(report) == [("view-layout-not-kept", "id-v-main")]
    assert layout(store, "id-v-main") is None
    assert layout(store, "id-v-second") is not None  # small enough
    exported = tmp_path / "export.xml"
    with exported.open("w", encoding="utf-8") as out:
        export_exchange(store, out, source=report["source"])
    root = fromstring(exported.read_bytes())
    check_exchange_structure(root)
    view = next(v for v in root.iter(f"{X}view") if v.get("identifier") == "id-v-main")
    assert [(n.get("identifier"), n.get("x"), n.get("y")) for n in nodes_of(view)] == [
        ("id-v-main-n1", "20", "20"),
        ("id-v-main-n2", "180", "20"),
        ("id-v-main-n3", "340", "20"),
    ]


def test_a_layout_that_does_not_read_is_not_kept(store: GraphStore, tmp_path: Path) -> None:
    text = (VIEWS / "drawn.xml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text(text.replace('w="145" h="61"', 'h="61"'), encoding="utf-8")

    report = run_import(store, broken)

    [warning] = [w for w in report["warnings"] if w["code"].startswith("view")]
    assert (warning["code"], warning["subject"]) == ("view-layout-not-kept", "id-v-main")
    assert "node 'id-d-handle' w is missing" in warning["msg"]
    assert layout(store, "id-v-main") is None
    assert layout(store, "id-v-second") is not None


@pytest.mark.parametrize(
    ("model", "old", "new", "why"),
    [
        ("drawn.xml", 'r="255" g="224"', 'r="300" g="224"', "outside 0-255"),
        ("drawn.xml", 'name="Arial" size="8"', 'name="Arial" size="big"', "font size"),
        ("drawn.xml", 'x="348" y="180"', 'x="1e400" y="180"', "bendpoint x is not a number"),
        ("drawn.xml", 'identifier="id-d-note"', 'identifier="id-d-handle"', "used twice"),
        ("drawn.archimate", 'lineWidth="2"', 'lineWidth="wide"', "lineWidth is not a number"),
        ("drawn.archimate", '<bounds x="492"', '<bound x="492"', "has no bounds"),
        ("drawn.archimate", 'startX="228"', 'startX="far"', "startX is not a number"),
    ],
)
def test_a_drawing_with_values_out_of_shape_is_not_kept_and_the_view_is(
    tmp_path: Path, model: str, old: str, new: str, why: str
) -> None:
    """No database needed: the parse and the transform decide."""
    text = (VIEWS / model).read_text(encoding="utf-8")
    assert old in text
    changed = tmp_path / model
    changed.write_text(text.replace(old, new, 1), encoding="utf-8")
    raw = (parse_exchange if model.endswith(".xml") else parse_archi)(changed)

    result = transform(raw, load_mapping("archimate"), source=raw["source"])

    [warning] = [w for w in result["warnings"] if w.code.startswith("view")]
    assert (warning.code, warning.subject) == ("view-layout-not-kept", "id-v-main")
    assert why in warning.message
    view = next(n for n in result["nodes"] if n["id"] == "id-v-main")
    props = json.loads(view["props"]["properties"])
    assert "archimate:diagram" not in props
    assert set(props["archimate:elements"].split()) == {
        "id-e-portal",
        "id-e-claims",
        "id-e-handle",
    }

"""Diagram layouts: the typed model of a view's drawing, read from both ArchiMate formats.

A view is kept as a GenericElement node (`original_type: View`); its drawing is kept on
that node as one JSON string property, `archimate:diagram` (`Diagram`), so that an export
can draw the view again as the architect left it.

The model follows the exchange format, because that is what is written back:

* coordinates are **absolute** (Archi's `.archimate` stores a nested object's bounds
  relative to its parent, and a bendpoint as two offsets from the centres of the
  connection's ends; both are converted here the way Archi's own exchange exporter
  converts them, `XMLExchangeUtils` / `DiagramModelUtils`), and never negative (Archi's
  exporter shifts a drawing with negative coordinates by the same offset);
* a node shows an element, or is a group (`Container`), a note (`Label`) or a reference
  to another view (`Label` with a `viewRef`); nodes nest through `parent`;
* a connection draws a relationship or is a plain line; its ends are nodes, or other
  connections (ArchiMate allows a relationship to a relationship);
* styles: fill and line colour (`#rrggbb`) with opacity in percent, line width, font
  name, size, style and colour, and Archi's text alignment and position (the exchange
  format has no place for the last two, nor for the opacity of a colour left at the
  default: an export carries those in one view property, `valuegraph:diagramStyles`,
  read back here).

Archi's defaults are not stored (alpha 100 %, line width 1, a black font), so an
`.archimate` file and Archi's exchange export of it give the same drawing wherever Archi
does not write a default colour out. Parsing keeps the source's own ids; `stored_diagram`
maps them to graph ids, drops what the import did not keep, and bounds the size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Literal, NamedTuple
from xml.etree.ElementTree import Element

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.archimate import ELEMENTS, Layer
from importers.errors import ReportWarning
from importers.identity import archimate_id
from importers.xmlstream import XML_LANG, local, xsi_type

DIAGRAM_KEY = "diagram"  # under the mapping's reserved prefix: `archimate:diagram`
STYLES_KEY = "diagramStyles"  # under the field prefix: `valuegraph:diagramStyles`
# The stored JSON's size cap, in characters. A view of a few hundred shapes takes
# 30-80 KB; beyond this a view keeps only the lists of what it shows (and is drawn on a
# grid when exported), with a warning, so that no node carries a megabyte of layout.
MAX_DIAGRAM_CHARS = 200_000
# Far beyond any drawing (Archi's canvas is ints); keeps sums far from overflow.
MAX_COORDINATE = 10_000_000
# Archi's default sizes for a shape saved with width/height -1 ("default size").
DEFAULT_SIZES = {"element": (120, 55), "group": (400, 140), "note": (185, 80), "view": (120, 55)}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# Archi's text alignment (draw2d PositionConstants) and text position numbers.
ALIGNMENTS = {"1": "left", "2": "center", "4": "right"}
POSITIONS = {"0": "top", "1": "middle", "2": "bottom"}

NodeKind = Literal["element", "group", "note", "view"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_UNCARRIED = {"text_alignment", "text_position", "fill_alpha", "line_alpha"}


class Style(_Strict):
    """What a shape or line looks like; None is the tool's default."""

    fill: str | None = Field(default=None, pattern=_HEX.pattern)
    fill_alpha: int | None = Field(default=None, ge=0, le=100, description="percent")
    line: str | None = Field(default=None, pattern=_HEX.pattern)
    line_alpha: int | None = Field(default=None, ge=0, le=100, description="percent")
    line_width: int | None = Field(default=None, ge=0, le=100)
    font_name: str | None = Field(default=None, max_length=200)
    font_size: float | None = Field(default=None, gt=0, le=1000)
    font_style: str | None = Field(default=None, max_length=50, description='"bold italic"')
    font_color: str | None = Field(default=None, pattern=_HEX.pattern)
    text_alignment: Literal["left", "center", "right"] | None = None
    text_position: Literal["top", "middle", "bottom"] | None = None

    def empty(self) -> bool:
        return not self.model_dump(exclude_none=True)


class Bounds(_Strict):
    """Absolute position and size."""

    x: int = Field(ge=0, le=MAX_COORDINATE)
    y: int = Field(ge=0, le=MAX_COORDINATE)
    w: int = Field(ge=0, le=MAX_COORDINATE)
    h: int = Field(ge=0, le=MAX_COORDINATE)


class Point(_Strict):
    x: int = Field(ge=0, le=MAX_COORDINATE)
    y: int = Field(ge=0, le=MAX_COORDINATE)


class DiagramNode(_Strict):
    id: str = Field(min_length=1, max_length=300)
    kind: NodeKind
    ref: str | None = Field(default=None, description="the element (or view) shown")
    label: str = Field(default="", max_length=20_000, description="group name, note text")
    parent: str | None = None
    bounds: Bounds
    style: Style | None = None


class DiagramConnection(_Strict):
    id: str = Field(min_length=1, max_length=300)
    relationship: str | None = Field(default=None, description="None: a plain line")
    source: str
    target: str
    bendpoints: list[Point] = Field(default_factory=list)
    style: Style | None = None


class Diagram(_Strict):
    """One view's drawing: nodes (parents before their children) and connections."""

    nodes: list[DiagramNode] = Field(default_factory=list)
    connections: list[DiagramConnection] = Field(default_factory=list)

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True, exclude_defaults=True)

    @classmethod
    def from_json(cls, text: str) -> Diagram:
        return cls.model_validate_json(text)

    def uncarried(self) -> dict[str, dict[str, str | int]]:
        """By shape or line id, the style values the exchange format has no place for:
        text alignment and position, and an opacity without its colour (Archi keeps
        the opacity of a default colour it does not write)."""
        out: dict[str, dict[str, str | int]] = {}
        items: list[DiagramNode | DiagramConnection] = [*self.nodes, *self.connections]
        for item in items:
            if item.style is None:
                continue
            found = item.style.model_dump(include=_UNCARRIED, exclude_none=True)
            if item.style.fill is not None:
                found.pop("fill_alpha", None)
            if item.style.line is not None:
                found.pop("line_alpha", None)
            if found:
                out[item.id] = found
        return out


class _RawNode(NamedTuple):
    id: str
    kind: NodeKind
    ref: str | None
    label: str
    parent: str | None
    box: tuple[int, int, int, int]
    style: Style | None


class _RawConnection(NamedTuple):
    id: str
    relationship: str | None
    source: str
    target: str
    points: list[tuple[int, int]]
    style: Style | None


class LayoutProblem(ValueError):
    """The drawing cannot be kept (a shape without bounds, a bad number): the view is
    kept as a list of what it shows, as before layouts were read."""


def _number(text: str | None, what: str) -> int:
    if text is None or not text.strip():
        raise LayoutProblem(f"{what} is missing")
    try:
        return round(float(text))
    except (ValueError, OverflowError):
        raise LayoutProblem(f"{what} is not a number: {text!r}") from None


def _percent(alpha_255: str | None) -> int | None:
    """Archi's 0-255 opacity as the exchange format's percentage (as Archi converts it)."""
    if alpha_255 is None:
        return None
    value = int(_number(alpha_255, "alpha") / 255 * 100 + 0.5)
    return None if value >= 100 else max(value, 0)


def _colour(text: str | None) -> str | None:
    return text.lower() if text and _HEX.match(text) else None


def _font_style(bits: int) -> str | None:
    words = [w for bit, w in ((1, "bold"), (2, "italic")) if bits & bit]
    return " ".join(words) or None


def _style(**values: object) -> Style | None:
    clean = {k: v for k, v in values.items() if v is not None}
    if clean.get("line_width") == 1:
        del clean["line_width"]
    if clean.get("font_color") == "#000000":
        del clean["font_color"]
    if not clean:
        return None
    try:
        return Style.model_validate(clean)
    except ValidationError as exc:
        raise LayoutProblem(f"a style value is out of range: {exc.errors()[0]['msg']}") from None


# -- Archi's .archimate ------------------------------------------------------------------


def _archi_style(elem: Element) -> Style | None:
    font_name = font_size = font_bits = None
    font = elem.get("font")
    if font:  # SWT FontData: "1|Segoe UI|9.0|1|WINDOWS|…": version|name|height|style|…
        parts = font.split("|")
        if len(parts) >= 4:
            font_name = parts[1] or None
            try:
                font_size = float(parts[2])
                font_bits = int(parts[3])
            except ValueError:
                font_size = None
    line_alpha = next(
        (
            f.get("value")
            for f in elem
            if local(f.tag) == "feature" and f.get("name") == "lineAlpha"
        ),
        None,
    )
    return _style(
        fill=_colour(elem.get("fillColor")),
        fill_alpha=_percent(elem.get("alpha")),
        line=_colour(elem.get("lineColor")),
        line_alpha=_percent(line_alpha),
        line_width=_number(elem.get("lineWidth") or "1", "lineWidth"),
        font_name=font_name,
        font_size=font_size,
        font_style=_font_style(font_bits or 0),
        font_color=_colour(elem.get("fontColor")),
        text_alignment=ALIGNMENTS.get(elem.get("textAlignment") or ""),
        text_position=POSITIONS.get(elem.get("textPosition") or ""),
    )


def parse_archi_diagram(view: Element) -> tuple[Diagram, list[str]]:
    """An `ArchimateDiagramModel` element's drawing (ids as in the file, but for the
    "id-" Archi puts before a digit), and notes on what was left out."""
    nodes: list[_RawNode] = []
    skipped: list[str] = []
    absolute: dict[str, tuple[int, int, int, int]] = {}
    raw_conns: list[Element] = []
    kinds: dict[str, NodeKind] = {
        "DiagramObject": "element",
        "Group": "group",
        "Note": "note",
        "DiagramModelReference": "view",
    }

    def walk(parent: Element, parent_id: str | None, ox: int, oy: int) -> None:
        for child in parent:
            if local(child.tag) != "child":
                continue
            kind = kinds.get(xsi_type(child))
            if kind is None:
                skipped.append(xsi_type(child) or "an untyped object")
                continue
            ident = archimate_id(child.get("id") or "")
            if ident == "":
                raise LayoutProblem("a diagram object has no id")
            box = next((b for b in child if local(b.tag) == "bounds"), None)
            if box is None:
                raise LayoutProblem(f"diagram object {ident!r} has no bounds")
            dw, dh = DEFAULT_SIZES[kind]
            x = ox + _number(box.get("x", "0"), "x")
            y = oy + _number(box.get("y", "0"), "y")
            w, h = (
                _number(box.get("width", "-1"), "width"),
                _number(box.get("height", "-1"), "height"),
            )
            w, h = (dw if w < 0 else w), (dh if h < 0 else h)
            absolute[ident] = (x, y, w, h)
            ref: str | None
            if kind == "element":
                ref, label = child.get("archimateElement") or "", ""
            elif kind == "view":  # named by the view it shows
                ref, label = child.get("model") or "", ""
            elif kind == "note":
                ref = None
                label = next((c.text or "" for c in child if local(c.tag) == "content"), "")
                label = label or child.get("content") or ""
            else:
                ref, label = None, child.get("name") or ""
            nodes.append(
                _RawNode(ident, kind, ref, label, parent_id, (x, y, w, h), _archi_style(child))
            )
            raw_conns.extend(_connections_of(child))
            walk(child, ident, x, y)

    walk(view, None, 0, 0)
    connections: list[_RawConnection] = []
    for conn in raw_conns:
        kind = xsi_type(conn)
        if kind not in ("Connection", "DiagramModelConnection"):
            skipped.append(kind)
            continue
        ident = archimate_id(conn.get("id") or "")
        src, dst = archimate_id(conn.get("source") or ""), archimate_id(conn.get("target") or "")
        rel = conn.get("archimateRelationship") or conn.get("relationship")
        points: list[tuple[int, int]] = []
        bends = [b for b in conn if local(b.tag) == "bendpoint"]
        if bends and src in absolute and dst in absolute:
            points = _absolute_bendpoints(bends, absolute[src], absolute[dst])
        connections.append(_RawConnection(ident, rel or None, src, dst, points, _archi_style(conn)))
    return _normalised(nodes, connections), _skipped_notes(skipped)


def _connections_of(elem: Element) -> list[Element]:
    """The lines drawn from a diagram object: its `sourceConnection`s, and the ones drawn
    from those (a connection can start on a connection)."""
    out = []
    for sub in elem:
        if local(sub.tag) == "sourceConnection":
            out.append(sub)
            out.extend(_connections_of(sub))
    return out


def _centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    # As Archi: integer halves (Java int division).
    return box[0] + box[2] // 2, box[1] + box[3] // 2


def _absolute_bendpoints(
    bends: list[Element], src: tuple[int, int, int, int], dst: tuple[int, int, int, int]
) -> list[tuple[int, int]]:
    """Archi's relative bendpoints (offsets from both ends' centres) as absolute points,
    blended by position along the line as `DiagramModelUtils.getAbsoluteBendpointPositions`
    does, truncated as Java's int cast truncates."""
    (sx, sy), (tx, ty) = _centre(src), _centre(dst)
    count = len(bends) + 1
    out = []
    for i, b in enumerate(bends, start=1):
        weight = i / count
        start_x = (sx + _number(b.get("startX", "0"), "startX")) * (1.0 - weight)
        start_y = (sy + _number(b.get("startY", "0"), "startY")) * (1.0 - weight)
        end_x = (tx + _number(b.get("endX", "0"), "endX")) * weight
        end_y = (ty + _number(b.get("endY", "0"), "endY")) * weight
        out.append((int(start_x + end_x), int(start_y + end_y)))
    return out


def _skipped_notes(skipped: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for kind in skipped:
        counts[kind] = counts.get(kind, 0) + 1
    return [
        f"{n} {kind} object(s) not kept (the exchange format cannot draw them)"
        for kind, n in counts.items()
    ]


def _normalised(nodes: list[_RawNode], connections: list[_RawConnection]) -> Diagram:
    """Shift the drawing so nothing is negative (as Archi's exporter does) and validate."""
    ids = [n.id for n in nodes] + [c.id for c in connections]
    if len(set(ids)) < len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise LayoutProblem(f"the id {twice!r} is used twice in the drawing")
    xs = [n.box[0] for n in nodes] + [p[0] for c in connections for p in c.points]
    ys = [n.box[1] for n in nodes] + [p[1] for c in connections for p in c.points]
    dx, dy = -min([0, *xs]), -min([0, *ys])
    try:
        return Diagram(
            nodes=[
                DiagramNode(
                    id=n.id,
                    kind=n.kind,
                    ref=n.ref,
                    label=n.label,
                    parent=n.parent,
                    bounds=Bounds(x=n.box[0] + dx, y=n.box[1] + dy, w=n.box[2], h=n.box[3]),
                    style=n.style,
                )
                for n in nodes
            ],
            connections=[
                DiagramConnection(
                    id=c.id,
                    relationship=c.relationship,
                    source=c.source,
                    target=c.target,
                    bendpoints=[Point(x=x + dx, y=y + dy) for x, y in c.points],
                    style=c.style,
                )
                for c in connections
            ],
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LayoutProblem(f"{where}: {first['msg']}") from None


# -- the Open Group exchange format ------------------------------------------------------


def _rgb(elem: Element | None) -> tuple[str | None, int | None]:
    if elem is None:
        return None, None
    try:
        r, g, b = (int(elem.get(c) or "0") for c in "rgb")
    except ValueError:
        raise LayoutProblem("a colour is not three whole numbers") from None
    if not all(0 <= v <= 255 for v in (r, g, b)):
        raise LayoutProblem("a colour component is outside 0-255")
    alpha = elem.get("a")
    a = _number(alpha, "alpha") if alpha is not None else None
    return f"#{r:02x}{g:02x}{b:02x}", (None if a is None or a >= 100 else a)


def _child(elem: Element, tag: str) -> Element | None:
    return next((c for c in elem if local(c.tag) == tag), None)


def _exchange_style(elem: Element) -> Style | None:
    style = _child(elem, "style")
    if style is None:
        return None
    fill, fill_alpha = _rgb(_child(style, "fillColor"))
    line, line_alpha = _rgb(_child(style, "lineColor"))
    font = _child(style, "font")
    font_colour = _rgb(_child(font, "color"))[0] if font is not None else None
    size = font.get("size") if font is not None else None
    try:
        font_size = float(size) if size else None
    except ValueError:
        raise LayoutProblem(f"font size is not a number: {size!r}") from None
    width = style.get("lineWidth")
    return _style(
        fill=fill,
        fill_alpha=fill_alpha,
        line=line,
        line_alpha=line_alpha,
        line_width=_number(width, "lineWidth") if width else None,
        font_name=(font.get("name") or None) if font is not None else None,
        font_size=font_size,
        font_style=(font.get("style") or None) if font is not None else None,
        font_color=font_colour,
    )


# Archi's exchange export writes every shape's style, defaults included, where its own
# file states only what the architect changed: these are the defaults it writes (its
# default fill per layer or shape, line colours, the platforms' default fonts). Reading
# them as "the tool's default" keeps one drawing whichever format the model came in.
_ARCHI_FILL_BY_LAYER = {
    Layer.STRATEGY: "#f5deaa",
    Layer.BUSINESS: "#ffffb5",
    Layer.APPLICATION: "#b5ffff",
    Layer.TECHNOLOGY: "#c9e7b7",
    Layer.PHYSICAL: "#c9e7b7",
    Layer.MOTIVATION: "#ccccff",
}
_ARCHI_FILL_BY_TYPE = {
    **dict.fromkeys(("WorkPackage", "Deliverable", "ImplementationEvent"), "#ffe0e0"),
    **dict.fromkeys(("Plateau", "Gap"), "#e0ffe0"),
    "Location": "#fbb875",
    "Junction": "#000000",
}
_ARCHI_FILL_BY_KIND = {"group": "#d2d7d7", "note": "#ffffff", "view": "#dcebeb"}
_ARCHI_SHAPE_LINE, _ARCHI_CONNECTION_LINE = "#5c5c5c", "#000000"
_ARCHI_FONTS = {("Segoe UI", 9.0), ("Sans", 9.0), ("Lucida Grande", 12.0)}


def _archi_default_fill(kind: str, archimate_type: str | None) -> str | None:
    if kind != "element":
        return _ARCHI_FILL_BY_KIND.get(kind)
    if archimate_type is None:
        return None
    if archimate_type in _ARCHI_FILL_BY_TYPE:
        return _ARCHI_FILL_BY_TYPE[archimate_type]
    element = ELEMENTS.get(archimate_type)
    return _ARCHI_FILL_BY_LAYER.get(element.layer) if element is not None else None


def without_archi_defaults(
    style: Style | None, kind: str, archimate_type: str | None = None
) -> Style | None:
    """`style` less what Archi would draw anyway (`kind` "connection" for a line)."""
    if style is None:
        return None
    values = style.model_dump(exclude_none=True)
    default_line = _ARCHI_CONNECTION_LINE if kind == "connection" else _ARCHI_SHAPE_LINE
    # (Opacity is a field of its own in Archi's file too: a default colour half
    # transparent is stored as the opacity alone.)
    if values.get("line") == default_line:
        del values["line"]
    fill = _archi_default_fill(kind, archimate_type)
    if fill is not None and values.get("fill") == fill:
        del values["fill"]
    font = (values.get("font_name"), values.get("font_size"))
    if font in _ARCHI_FONTS and "font_style" not in values:
        del values["font_name"], values["font_size"]
    return Style.model_validate(values) if values else None


def _label(elem: Element, language: str | None) -> str:
    labels = [(c.get(XML_LANG), c.text or "") for c in elem if local(c.tag) == "label"]
    for lang, text in labels:
        if language and lang and lang.lower().split("-")[0] == language.lower():
            return text
    return labels[0][1] if labels else ""


def parse_exchange_diagram(
    view: Element, language: str | None, type_of: Callable[[str], str | None]
) -> tuple[Diagram, list[str]]:
    """A `view` element's drawing (exchange coordinates are absolute already);
    `type_of` gives an element's ArchiMate type, for the default styles Archi writes."""
    nodes: list[_RawNode] = []

    def walk(parent: Element, parent_id: str | None) -> None:
        for node in parent:
            if local(node.tag) != "node":
                continue
            ident = node.get("identifier") or ""
            if not ident:
                raise LayoutProblem("a node has no identifier")
            kind: NodeKind
            view_ref = _child(node, "viewRef")
            ref_to_view = (view_ref.get("ref") if view_ref is not None else None) or node.get(
                "viewRef"
            )
            has_children = any(local(c.tag) == "node" for c in node)
            if node.get("elementRef"):
                kind, ref = "element", node.get("elementRef")
            elif xsi_type(node) == "Container" or has_children:
                kind, ref = "group", None  # only a group holds other shapes, as Archi reads it
            elif ref_to_view:
                kind, ref = "view", ref_to_view
            else:
                kind, ref = "note", None
            box = tuple(_number(node.get(a), f"node {ident!r} {a}") for a in "xywh")
            # A view reference is named by its view (Archi reads no label for it either).
            label = "" if kind in ("element", "view") else _label(node, language)
            archimate_type = type_of(ref) if kind == "element" and ref else None
            style = without_archi_defaults(_exchange_style(node), kind, archimate_type)
            nodes.append(
                _RawNode(ident, kind, ref, label, parent_id, box, style)  # type: ignore[arg-type]
            )
            walk(node, ident)

    walk(view, None)
    connections: list[_RawConnection] = []
    for conn in view:
        if local(conn.tag) != "connection":
            continue
        points = [
            (_number(b.get("x"), "bendpoint x"), _number(b.get("y"), "bendpoint y"))
            for b in conn
            if local(b.tag) == "bendpoint"
        ]
        connections.append(
            _RawConnection(
                conn.get("identifier") or "",
                conn.get("relationshipRef") or None,
                conn.get("source") or "",
                conn.get("target") or "",
                points,
                without_archi_defaults(_exchange_style(conn), "connection"),
            )
        )
    return _normalised(nodes, connections), []


def read_layout(
    parse: Callable[[], tuple[Diagram, list[str]]],
    *,
    warnings: list[ReportWarning],
    file: str,
    line: int | None,
    subject: str,
) -> Diagram | None:
    """`parse()`'s drawing, its notes as warnings; None (with a warning) when the drawing
    cannot be read: the view is then kept as a list of what it shows."""
    try:
        diagram, notes = parse()
    except LayoutProblem as exc:
        warnings.append(
            ReportWarning(
                "view-layout-not-kept",
                f"the view's layout cannot be read ({exc}); the view keeps the list of what "
                "it shows, and an export lays it out on a grid",
                file=file,
                line=line,
                subject=subject,
            )
        )
        return None
    for note in notes:
        warnings.append(
            ReportWarning("view-content-skipped", note, file=file, line=line, subject=subject)
        )
    return diagram


# -- kept on the view node ---------------------------------------------------------------


def with_uncarried(diagram: Diagram, text: str) -> Diagram:
    """The drawing with the style values an export carried aside (`Diagram.uncarried`)."""
    try:
        styles = json.loads(text)
    except ValueError:
        return diagram
    if not isinstance(styles, dict):
        return diagram

    def restyled(item: DiagramNode | DiagramConnection) -> Style | None:
        extra = styles.get(item.id)
        if not isinstance(extra, dict) or not set(extra) <= _UNCARRIED:
            return item.style
        base = item.style.model_dump(exclude_none=True) if item.style else {}
        return _style(**{**base, **extra})

    try:
        return Diagram(
            nodes=[n.model_copy(update={"style": restyled(n)}) for n in diagram.nodes],
            connections=[c.model_copy(update={"style": restyled(c)}) for c in diagram.connections],
        )
    except (ValidationError, LayoutProblem):
        return diagram


def stored_diagram(
    diagram: Diagram,
    *,
    element: Callable[[str], str | None],
    relationship: Callable[[str], str | None],
    view: Callable[[str], str | None],
    warn: Callable[[str, str], None],
) -> str | None:
    """The drawing as stored: references as graph ids; a shape whose element (or view)
    was not imported is dropped (its children move up to its parent, keeping their
    absolute place), and with it the connections that end on it; so is a connection whose
    relationship was not imported. None (with a warning) when too large to keep."""
    kept: list[DiagramNode] = []
    given_parent = {n.id: n.parent for n in diagram.nodes}
    parent_of: dict[str, str | None] = {}
    dropped_nodes = 0
    for node in diagram.nodes:
        parent = node.parent
        # Parents come before their children: one not kept was dropped, so go up.
        while parent is not None and parent not in parent_of:
            parent = given_parent.get(parent)
        ref = node.ref
        if node.kind in ("element", "view"):
            ref = (element if node.kind == "element" else view)(node.ref or "")
            if ref is None:
                dropped_nodes += 1
                continue
        parent_of[node.id] = parent
        kept.append(node.model_copy(update={"ref": ref, "parent": parent}))
    alive = set(parent_of)
    conns: dict[str, DiagramConnection] = {}
    pending: list[tuple[DiagramConnection, str | None]] = []
    dropped_rels = 0
    for conn in diagram.connections:
        rel = relationship(conn.relationship) if conn.relationship else None
        if conn.relationship and rel is None:
            dropped_rels += 1
        else:
            pending.append((conn, rel))
    # A connection may end on another connection, drawn later in the file: repeat until
    # no more connection can be placed.
    while pending:
        waiting = []
        for conn, rel in pending:
            if conn.source in alive and conn.target in alive:
                conns[conn.id] = conn.model_copy(update={"relationship": rel})
                alive.add(conn.id)
            else:
                waiting.append((conn, rel))
        if len(waiting) == len(pending):
            break
        pending = waiting
    else:
        pending = []
    if dropped_nodes or dropped_rels or pending:
        warn(
            "view-layout-trimmed",
            f"left out of the view's layout: {dropped_nodes} shape(s) drawing an element or "
            f"view that was not imported, {dropped_rels} connection(s) drawing a relationship "
            f"that was not imported, {len(pending)} connection(s) ending on what was left out",
        )
    ordered = [conns[c.id] for c in diagram.connections if c.id in conns]
    text = Diagram(nodes=kept, connections=ordered).to_json()
    if len(text) > MAX_DIAGRAM_CHARS:
        warn(
            "view-layout-not-kept",
            f"the view's layout takes {len(text):,} characters, over the {MAX_DIAGRAM_CHARS:,} "
            "kept per view: the view keeps the list of what it shows, and an export lays "
            "it out on a grid",
        )
        return None
    return text

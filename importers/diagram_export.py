"""A kept view drawing written back as exchange-format `node`s and `connection`s.

The counterpart of `importers.diagrams`: coordinates are absolute already, nesting
becomes nested `node`s, groups `Container`s, notes `Label`s, view references `Label`s with
a `viewRef`, as Archi's exchange exporter writes them. Text alignment and position, and
the opacity of a colour left at its default, which the format has no place for, travel
in one view property (`carried_properties`).

A shape whose element (or view) is not in the export is left out, its children moving
up to its parent where they already are on the page; a connection whose relationship or
end is not in the export is left out too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from xml.sax.saxutils import quoteattr

from importers.diagrams import STYLES_KEY, Diagram, DiagramConnection, DiagramNode, Style

_NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")


def layout_of(free: dict[str, object], key: str) -> Diagram | None:
    """The drawing kept on a view node, None when it has none (made in valuegraph, or
    too large to keep) or it does not read (then the view is laid out on a grid)."""
    text = free.get(key)
    if not isinstance(text, str):
        return None
    try:
        return Diagram.from_json(text)
    except ValueError:
        return None


def carried_properties(diagram: Diagram | None, prefix: str) -> dict[str, str]:
    """The view property carrying the style values the exchange format cannot, by shape
    or line id (read back by `importers.diagrams.with_uncarried`)."""
    styles = diagram.uncarried() if diagram else {}
    if not styles:
        return {}
    return {f"{prefix}{STYLES_KEY}": json.dumps(styles, separators=(",", ":"), sort_keys=True)}


def _rgb(tag: str, colour: str, alpha: int | None) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    a = f' a="{alpha}"' if alpha is not None else ""
    return f'<{tag} r="{r}" g="{g}" b="{b}"{a}/>'


def _style(style: Style | None) -> str:
    if style is None:
        return ""
    parts = []
    if style.fill:
        parts.append(_rgb("fillColor", style.fill, style.fill_alpha))
    if style.line:
        parts.append(_rgb("lineColor", style.line, style.line_alpha))
    if style.font_name or style.font_size or style.font_style or style.font_color:
        attrs = ""
        if style.font_name:
            attrs += f" name={quoteattr(style.font_name)}"
        if style.font_size:
            size = style.font_size
            attrs += f' size="{int(size) if size.is_integer() else size}"'
        if style.font_style:
            attrs += f" style={quoteattr(style.font_style)}"
        colour = _rgb("color", style.font_color, None) if style.font_color else ""
        parts.append(f"<font{attrs}>{colour}</font>" if colour else f"<font{attrs}/>")
    width = f' lineWidth="{style.line_width}"' if style.line_width is not None else ""
    if not parts and not width:
        return ""
    return f"<style{width}>{''.join(parts)}</style>"


class DiagramWriter:
    """Writes one view's drawing; `taken` holds every identifier already in the file."""

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        text: Callable[[str], str],
        lang: str,
        element: Callable[[str], str | None],
        relationship: Callable[[str], str | None],
        view: Callable[[str], str | None],
        view_name: Callable[[str], str],
        taken: set[str],
    ) -> None:
        self.w = write
        self.text = text
        self.lang = lang
        self.element = element
        self.relationship = relationship
        self.view = view
        self.view_name = view_name
        self.taken = taken
        self.names: dict[str, str] = {}

    def identifier(self, ident: str, fallback: str) -> str:
        """The object's own id when the file can use it, else a stable stand-in."""
        if _NCNAME.match(ident) and ident not in self.taken:
            chosen = ident
        else:
            chosen = f"{fallback}-{hashlib.sha1(ident.encode('utf-8')).hexdigest()[:12]}"
            n = 1
            while chosen in self.taken:
                n += 1
                chosen = f"{fallback}-{n}"
        self.taken.add(chosen)
        return chosen

    def write(self, diagram: Diagram, view_ident: str, indent: str) -> None:
        idents: dict[str, str] = {}
        children: dict[str | None, list[tuple[DiagramNode, str | None]]] = {}
        names: dict[str, str] = {}
        given_parent = {n.id: n.parent for n in diagram.nodes}
        for node in diagram.nodes:
            ref = None
            if node.kind == "element":
                ref = self.element(node.ref or "")
                if ref is None:
                    continue
            elif node.kind == "view":
                ref = self.view(node.ref or "")
                # Named by the view it shows, as Archi writes it.
                names[node.id] = self.view_name(node.ref or "") if ref else node.label
            parent = node.parent
            while parent is not None and parent not in idents:
                parent = given_parent.get(parent)
            idents[node.id] = self.identifier(node.id, f"{view_ident}-n")
            children.setdefault(parent, []).append((node, ref))
        self.names = names
        self.nodes(children, None, idents, indent)
        self.connections(diagram.connections, idents, view_ident, indent)

    def nodes(
        self,
        children: dict[str | None, list[tuple[DiagramNode, str | None]]],
        parent: str | None,
        idents: dict[str, str],
        indent: str,
    ) -> None:
        for node, ref in children.get(parent, []):
            b = node.bounds
            attrs = f"identifier={quoteattr(idents[node.id])}"
            if node.kind == "element":
                attrs += f' elementRef={quoteattr(ref or "")} xsi:type="Element"'
            elif node.kind == "group":
                attrs += ' xsi:type="Container"'
            else:  # a note, or a reference to a view (a note when that view is not here)
                attrs += ' xsi:type="Label"'
            attrs += f' x="{b.x}" y="{b.y}" w="{b.w}" h="{b.h}"'
            inner = ""
            label = self.names.get(node.id, node.label)
            if node.kind != "element" and label:
                inner += f"<label xml:lang={quoteattr(self.lang)}>{self.text(label)}</label>"
            inner += _style(node.style)
            if node.kind == "view" and ref:
                inner += f"<viewRef ref={quoteattr(ref)}/>"
            nested = node.id in children
            if not inner and not nested:
                self.w(f"{indent}<node {attrs}/>\n")
                continue
            self.w(f"{indent}<node {attrs}>{inner}" + ("\n" if nested else ""))
            if nested:
                self.nodes(children, node.id, idents, indent + "  ")
                self.w(f"{indent}</node>\n")
            else:
                self.w("</node>\n")

    def connections(
        self,
        connections: list[DiagramConnection],
        idents: dict[str, str],
        view_ident: str,
        indent: str,
    ) -> None:
        placed: dict[str, str] = dict(idents)
        pending = connections
        written: list[tuple[DiagramConnection, str | None]] = []
        # A connection may end on a connection listed after it.
        while pending:
            waiting = []
            for conn in pending:
                rel = self.relationship(conn.relationship) if conn.relationship else None
                if conn.relationship and rel is None:
                    continue
                if conn.source in placed and conn.target in placed:
                    placed[conn.id] = self.identifier(conn.id, f"{view_ident}-c")
                    written.append((conn, rel))
                else:
                    waiting.append(conn)
            if len(waiting) == len(pending):
                break
            pending = waiting
        order = {c.id: i for i, c in enumerate(connections)}
        for conn, rel in sorted(written, key=lambda item: order[item[0].id]):
            attrs = f"identifier={quoteattr(placed[conn.id])}"
            if rel:
                attrs += f' relationshipRef={quoteattr(rel)} xsi:type="Relationship"'
            else:
                attrs += ' xsi:type="Line"'
            attrs += (
                f" source={quoteattr(placed[conn.source])} target={quoteattr(placed[conn.target])}"
            )
            inner = _style(conn.style) + "".join(
                f'<bendpoint x="{p.x}" y="{p.y}"/>' for p in conn.bendpoints
            )
            self.w(f"{indent}<connection {attrs}>{inner}</connection>\n" if inner else "")
            if not inner:
                self.w(f"{indent}<connection {attrs}/>\n")

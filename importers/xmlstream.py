"""Safe, streaming XML reading for the ArchiMate importers.

The file is fed to a defused expat parser in chunks. Only the subtrees a reader asks
for are built, each is handed over once complete and then detached from its parent, so
memory holds one element (one view, one folder tree) at a time, never the document.

DTDs are refused outright: ArchiMate files never need one, and refusing the DOCTYPE
stops entity expansion ("billion laughs") and external entities before they start.
Every element carries the line it started on (`line_of`), for error messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml.common import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from importers.errors import ImportFailure

XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = f"{{{XML_NS}}}lang"
XSI_TYPE = f"{{{XSI_NS}}}type"
_LINE = "{urn:valuegraph:import}line"
CHUNK = 64 * 1024

Path_ = tuple[str, ...]
Event = tuple[str, Element, Path_, tuple[Element, ...]]


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def line_of(elem: Element) -> int | None:
    value = elem.get(_LINE)
    return int(value) if value else None


def attrs(elem: Element) -> dict[str, str]:
    """The element's attributes without the bookkeeping one added here."""
    return {k: v for k, v in elem.attrib.items() if k != _LINE}


def xsi_type(elem: Element) -> str:
    """`xsi:type` without its prefix: "archimate:BusinessActor" → "BusinessActor"."""
    return (elem.get(XSI_TYPE) or "").rsplit(":", 1)[-1]


class _Target:
    """Builds elements like TreeBuilder, remembering where each started and which are done."""

    def __init__(self, want: Callable[[Path_], bool]) -> None:
        self.builder = TreeBuilder()
        self.want = want
        self.path: list[str] = []
        self.stack: list[Element] = []
        self.events: list[Event] = []
        self.expat: Any = None

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        elem = self.builder.start(tag, attrib)
        elem.set(_LINE, str(self.expat.CurrentLineNumber))
        self.path.append(local(tag))
        self.stack.append(elem)
        if len(self.stack) == 1:
            self.events.append(("start", elem, tuple(self.path), ()))
        return elem

    def end(self, tag: str) -> Element:
        elem = self.builder.end(tag)
        path = tuple(self.path)
        self.path.pop()
        self.stack.pop()
        if len(path) > 1 and self.want(path):
            self.events.append(("end", elem, path, tuple(self.stack)))
            parent = self.stack[-1]
            # A finished subtree is its parent's latest child; dropping it here keeps
            # memory to the events of one chunk.
            if len(parent) and parent[-1] is elem:
                del parent[-1]
        return elem

    def data(self, text: str) -> None:
        self.builder.data(text)

    def close(self) -> Element:
        return self.builder.close()


def iter_xml(
    stream: BinaryIO,
    *,
    file: str | Path,
    want: Callable[[Path_], bool],
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Event]:
    """Yield ("start", root, path, ()) once, then ("end", elem, path, ancestors) per subtree.

    `path` is the tuple of local names from the root; `ancestors` the enclosing elements
    (their attributes complete, their children not). A yielded subtree is already
    detached from its parent, so nothing but the caller holds it.
    """
    target = _Target(want)
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    target.expat = parser.parser
    try:
        while True:
            chunk = stream.read(CHUNK)
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
            events, target.events = target.events, []
            yield from events
            if on_bytes is not None and chunk:
                on_bytes(len(chunk))
            if not chunk:
                return
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        reason = str(exc).split(": line", 1)[0]
        raise ImportFailure(
            f"malformed XML: {reason}",
            file=file,
            line=line,
            hint="the file is not well-formed XML; export it again from the modelling tool "
            "or fix the reported line",
        ) from exc
    except DTDForbidden as exc:
        raise ImportFailure(
            "the file declares a DTD (<!DOCTYPE …>), which is refused for safety",
            file=file,
            line=target.expat.CurrentLineNumber,
            hint="ArchiMate files never need a DTD; a DOCTYPE is how entity-expansion and "
            "external-entity attacks start. Remove it, or export the model again",
        ) from exc
    except DefusedXmlException as exc:
        raise ImportFailure(
            f"the file uses XML entities, which are refused for safety ({exc})",
            file=file,
            line=target.expat.CurrentLineNumber,
            hint="remove the entity declarations, or export the model again from the tool",
        ) from exc


def text_of(elem: Element | None) -> str:
    if elem is None:
        return ""
    return "".join(elem.itertext()).strip() if len(elem) else (elem.text or "").strip()

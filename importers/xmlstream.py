"""Safe, streaming XML reading for the ArchiMate importers.

The file is fed to a defused expat parser in chunks. Only the subtrees a reader asks
for are built, each is handed over once complete and then detached from its parent, so
memory holds one element (one view, one folder tree) at a time, never the document.

DTDs are refused outright: ArchiMate files never need one, and refusing the DOCTYPE
stops entity expansion ("billion laughs") and external entities before they start.
Nesting is bounded (`MAX_DEPTH`): real models nest a few dozen levels (folders, diagram
groups), and the readers walk what they are given recursively. So is the size of one tag or
text (`MAX_TOKEN`), checked on the bytes before expat sees them.
Every element carries the line it started on (`line_of`), for error messages.

On request (`Spans`) each subtree handed over also gets a digest of its own bytes in the
file, and all the bytes between those subtrees one digest together: what a change import
needs to know which rows are, byte for byte, what the last import read
(`importers.transform`, the mapping memo). Given the digests of rows the last import
read (`Spans.known`), a row whose bytes are one of them is read without its children:
expat still parses every byte of it (well-formedness, the DTD and entity guards, the
token limit all hold as for any other byte), but no Python handler runs below the row's
own start tag, and no `Element` is built for it at all: it is handed over as a `Known`
(its attributes as expat gives them, its line, its digest). Its nesting needs no count:
the same bytes were read whole, at the same depth, by the import that stored the digest.
An empty row (`<relationship … />`, most of a model's rows) is handed over as a `Known`
too, known or not: its start tag is all there is to it.

Runs of rows (`Spans.runs`, the block path): given the digests of the empty rows the
last import read, in that import's file order (`Runs`), the rows' section is split at
its row tags and each piece digested in C; consecutive pieces that are consecutive
stored rows are one run, fed to expat with every handler off (so every byte is still
parsed and checked, as above) and handed over as one `Block` (where the run starts in
the stored order, how many rows), with no Python step per row. Only where a byte split
tells rows apart: not if the file, up to the section's end, holds a comment, a CDATA
section or a processing instruction (other than the XML declaration), and a run starts
only where expat, fed up to there, is between two rows of the section. What a block's
rows map to is decided by whoever holds the stored rows (`importers.transform`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from functools import partial
from io import BytesIO
from itertools import accumulate
from operator import methodcaller
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
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
# Archi nests folders and diagram groups; a few dozen levels is deep for a real model.
MAX_DEPTH = 500
# The bytes between one "<" and the next: a tag with its attributes and the text after it.
# Real models stay far below (a long documentation is a few KiB); the cap matters because
# expat 2.5 reads a huge attribute again from its start with every chunk (quadratic: 16 MiB
# took 5 s, 199 MiB 231 s), and because no model needs such a value.
MAX_TOKEN = 1024 * 1024

Path_ = tuple[str, ...]
# A start tag: its name, and "/" if it is an empty element's; a tag's name
# (`Spans.row`).
_NAME = re.compile(rb"[^\s/>]+")
_START_TAG = re.compile(rb"""<([^\s/>]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(/?)>""")
# Expat's name of `xsi:type`, as a `Known` row's attributes hold it.
_XSI_TYPE_EXPAT = f"{XSI_NS}}}type"


class Known(NamedTuple):
    """A row for which no `Element` is built (`Spans.row`): an empty element, or a row
    whose bytes are known, read without its children (`skipped`)."""

    attrib: dict[str, str]  # as expat gives them: "uri}name" for a namespaced attribute
    line: int
    digest: bytes  # of its bytes, as `Spans.by_element` would hold it
    skipped: bool  # it has children, not read

    def xsi_type(self) -> str:
        """`xsi_type` of the row."""
        return _TYPE_NAMES[self.attrib.get(_XSI_TYPE_EXPAT) or ""]


class Block(NamedTuple):
    """A run of rows whose bytes are, piece for piece, stored rows `start` … `start +
    rows - 1` (`Runs`): no row of it is handed over on its own."""

    start: int
    rows: int

    @property
    def end(self) -> int:
        return self.start + self.rows


class Runs(NamedTuple):
    """What the block path needs of the rows the last import read (`Spans.runs`): the
    digest of each stored row that may be carried (an empty row, `Known`), by its index
    in the stored order, and that order's digests (None for a row never carried)."""

    at: dict[bytes, int]
    spans: list[bytes | None]


# ("start", root, path, ()) once; ("end", subtree, path, ancestors); ("known", Known, path, ());
# ("block", Block, path, ()).
Event = tuple[str, Any, Path_, tuple[Element, ...]]


# Memos of names and paths: plenty for any real model, and caps so that a hostile file
# of ever-new or endless names, or of endless nesting, costs time rather than memory.
_MAX_MEMO = 10_000
_MAX_MEMO_NAME = 200
_MAX_MEMO_DEPTH = 32


class _Memo(dict[str, str]):
    """`compute(name)` for each distinct name, remembered: documents repeat few names."""

    def __init__(self, compute: Callable[[str], str]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, name: str) -> str:
        value = self.compute(name)
        if len(self) < _MAX_MEMO and len(name) <= _MAX_MEMO_NAME:
            self[name] = value
        return value


# Expat's "uri}name" as ElementTree's "{uri}name".
_EXPANDED = _Memo(lambda name: "{" + name if "}" in name else name)
_TYPE_NAMES = _Memo(lambda value: value.rsplit(":", 1)[-1])
# `local(tag)`, the tag without its namespace, is a dict look-up rather than a function
# call: the readers ask it of nearly every element.
local: Callable[[str], str] = _Memo(lambda tag: tag.rsplit("}", 1)[-1]).__getitem__


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
    return _TYPE_NAMES[elem.get(XSI_TYPE) or ""]


class Spans:
    """The digests of the subtrees at `paths` (the rows), each over its bytes in the file
    (from its start tag up to the next tag after it, or to its end tag), and `between`:
    one digest of every byte outside those subtrees (the declaration, the root's
    namespaces, containers, and everything else read: folders, property definitions),
    complete after the file.

    The file is held in memory while it is read (it is at most the import size limit).
    """

    SIZE = 16

    def __init__(
        self,
        paths: frozenset[Path_] = frozenset(),
        *,
        known: Callable[[Element], AbstractSet[bytes]] | None = None,
        runs: tuple[Path_, Callable[[Element], Runs | None]] | None = None,
    ) -> None:
        self.paths = paths
        self.data = b""
        self.by_element: dict[Element, bytes] = {}
        # `known(root)`, asked once the root's start tag is read: the digests of rows that
        # are read without their children (handed over as `Known`).
        self.known_for = known
        self.known: AbstractSet[bytes] = frozenset()
        # (the rows' path, `Runs` asked once the root is read): the block path, for one
        # section of rows (see the module doc).
        self.runs_for = runs
        self._between = hashlib.blake2b(digest_size=self.SIZE)
        self._done = 0  # the bytes before this are hashed, in a span or between
        self._starts: list[int] = []

    @property
    def data(self) -> bytes:
        return self._data

    @data.setter
    def data(self, data: bytes) -> None:
        self._data = data
        self._view = memoryview(data)  # slices of it are not copies

    def start(self, at: int) -> None:
        self._starts.append(at)

    def row(self, at: int) -> tuple[int, bytes, bool] | None:
        """(where the row starting at `at` ends, its digest, whether it is an empty
        element) if no `Element` need be built for it: an empty element (its start tag
        says all there is), or a row whose bytes are a known row's (its children need not
        be read); else None.

        An empty element's span runs to the next tag; a row with children is digested
        from its start tag up to its end tag (`end`), so the candidate runs to the first
        end tag of the row's name. Were that not the row's own end tag, the bytes would
        not be a row's that was read whole before.
        """
        data = self._data
        # The start tag (expat has read it: it is well-formed, no value holds a "<"). Its
        # first ">" ends it unless it is in a value, which quotes before it would show.
        # A wrong guess costs at most a row read whole; only a skip must be right, and
        # the digest makes it so.
        gt = data.find(b">", at)
        # Searched in place: a slice of the head would be a copy per row.
        if data.find(b"'", at, gt) >= 0 or data.count(b'"', at, gt) % 2:  # ">" in a value?
            tag = _START_TAG.match(data, at)
            if tag is None:
                return None
            gt = tag.end() - 1
            empty = bool(tag.group(2))
        else:
            empty = data[gt - 1] == 0x2F  # "/>"
        if empty:
            end = data.find(b"<", gt)
            if end < 0:
                end = len(data)
        elif not self.known:
            return None
        else:
            name = _NAME.match(data, at + 1)
            if name is None:
                return None
            # The first end tag of that name: the row's own in a row read before (rows
            # are siblings, so these searches read the file once at most).
            end = data.find(b"</" + name.group(), gt)
            if end < 0:
                return None
        digest = hashlib.blake2b(self._view[at:end], digest_size=self.SIZE).digest()
        if not empty and digest not in self.known:
            return None
        self._gap(at, end)
        return end, digest, empty

    def _gap(self, start: int, end: int) -> None:
        """The span [start, end) is a row's: the bytes before it since the last one are
        between."""
        if start >= self._done:  # spans nest in no reader: if one did, it is in its parent
            # Each gap ends in a NUL (which no well-formed document holds), so that bytes
            # moved from one gap to the next are a change.
            self._between.update(self._view[self._done : start])
            self._between.update(b"\0")
            self._done = end

    def block(self, start: int, end: int, count: int) -> None:
        """[start, end) are `count` rows end to end: as `_gap` for each of them (the
        gaps between them are empty, each still ends in a NUL)."""
        self._gap(start, end)
        self._between.update(b"\0" * (count - 1))

    def end(self, elem: Element, at: int) -> None:
        start = self._starts.pop()
        data = self._data
        following = data.find(b"<", start + 1)
        end = max(at, following if following >= 0 else len(data))
        self._gap(start, end)
        self.by_element[elem] = hashlib.blake2b(
            self._view[start:end], digest_size=self.SIZE
        ).digest()

    def between(self) -> bytes:
        """The digest of the bytes outside the spans (after the file has been read)."""
        rest = self._between.copy()
        rest.update(self.data[self._done :])
        return rest.digest()


class _Level:
    """One path from the root: the expanded tag, whether the path is wanted, and the path.

    Levels are remembered per parent and expat tag, so that an element costs a dict
    look-up instead of rebuilding its path, expanding its tag and asking `want` again.
    Only levels near the root are remembered and keep their path; deeper ones have
    `path` None, their names kept by the target while they are open (`_Target.deep`).
    """

    __slots__ = ("children", "name", "path", "spanned", "tag", "wanted")

    def __init__(self, tag: str, path: Path_ | None, wanted: bool, spanned: bool = False) -> None:
        self.tag = tag
        self.name = local(tag)
        self.path = path
        self.wanted = wanted
        self.spanned = spanned  # a row whose bytes `Spans` digests
        self.children: dict[str, _Level] = {}


class _Target:
    """Builds elements like TreeBuilder, remembering where each started and which are done.

    `start` and `end` are installed as expat's own handlers (see `iter_xml`), skipping the
    pure-Python XMLParser's per-element name fixing: expat reports "uri}local" names,
    expanded here to ElementTree's "{uri}local" once per distinct name.
    """

    def __init__(self, want: Callable[[Path_], bool], file: str | Path) -> None:
        self.file = file
        self.builder = TreeBuilder()
        # Text goes straight to the C builder: no Python frame per chunk of text.
        self.data = self.builder.data
        self.want = want
        self.levels: list[_Level] = [_Level("", (), False)]
        self.known_levels = 0
        self.deep: list[str] = []  # the names of the open levels without a path
        self.stack: list[Element] = []
        self.events: list[Event] = []
        self.expat: Any = None
        self.spans: Spans | None = None
        self.skip_until = -1  # in a known row (`Spans.known`): where its end tag is
        self.handlers: tuple[Any, Any, Any, Any] | None = None  # expat's, while skipping
        # The known row open now (its end is the next end handed to `end`), and its path.
        self.known: tuple[Known, Path_] | None = None

    def level(self, parent: _Level, name: str) -> _Level:
        tag = _EXPANDED[name]
        path = self.path_below(parent, local(tag))
        wanted = len(path) > 1 and self.want(path)
        spanned = wanted and self.spans is not None and path in self.spans.paths
        if len(path) > _MAX_MEMO_DEPTH or self.known_levels >= _MAX_MEMO:
            return _Level(tag, None, wanted, spanned)
        level = parent.children[name] = _Level(tag, path, wanted, spanned)
        self.known_levels += 1
        return level

    def path_below(self, parent: _Level, name: str) -> Path_:
        """The path of an element named `name` in the innermost open one, `parent`."""
        if parent.path is not None:
            return (*parent.path, name)
        prefix = self.levels[-1 - len(self.deep)].path
        assert prefix is not None  # the innermost level that keeps its path
        return (*prefix, *self.deep, name)

    def start(self, name: str, attrib: dict[str, str]) -> None:
        parent = self.levels[-1]
        level = parent.children.get(name) or self.level(parent, name)
        if level.spanned:
            spans = self.spans
            assert spans is not None  # only a target with spans has spanned levels
            at = self.expat.CurrentByteIndex
            row = spans.row(at) if level.path is not None else None
            if row is not None:
                self.known_row(level.path, attrib, row)  # type: ignore[arg-type]
                return
            spans.start(at)
        self.levels.append(level)
        if level.path is None:
            self.deep.append(level.name)
        if len(attrib) == 1:  # the commonest case (xml:lang, a reference), made cheaper
            ((key, value),) = attrib.items()
            attrib = {_EXPANDED[key]: value}
        elif attrib:
            attrib = {_EXPANDED[key]: value for key, value in attrib.items()}
        attrib[_LINE] = str(self.expat.CurrentLineNumber)
        elem = self.builder.start(level.tag, attrib)
        if len(self.stack) >= MAX_DEPTH:
            raise ImportFailure(
                f"elements nested more than {MAX_DEPTH} levels deep",
                file=self.file,
                line=self.expat.CurrentLineNumber,
                hint="no ArchiMate model nests this deep; the file is damaged or hostile",
            )
        if not self.stack:
            self.events.append(("start", elem, (level.name,), ()))
            if self.spans is not None and self.spans.known_for is not None:
                self.spans.known = self.spans.known_for(elem)
        self.stack.append(elem)

    def known_row(
        self, path: Path_, attrib: dict[str, str], known: tuple[int, bytes, bool]
    ) -> None:
        """A row read without an `Element` (`Spans.row`): handed over as a `Known` once
        its end is read, its children (if any) read without handlers (see the module doc)."""
        until, digest, empty = known
        self.known = (Known(attrib, self.expat.CurrentLineNumber, digest, not empty), path)
        if empty:
            return  # its end comes next
        parser = self.expat
        self.handlers = (
            parser.StartElementHandler,
            parser.EndElementHandler,
            parser.CharacterDataHandler,
            parser.DefaultHandlerExpand,
        )
        self.skip_until = until
        parser.StartElementHandler = None
        parser.CharacterDataHandler = None
        # XMLParser's: what has no handler of its own would go there (a Python call each).
        parser.DefaultHandlerExpand = None
        parser.EndElementHandler = self.skipped_end

    def skipped_end(self, name: str) -> None:
        if self.expat.CurrentByteIndex != self.skip_until:
            return  # an end tag inside the row
        parser = self.expat
        assert self.handlers is not None
        (
            parser.StartElementHandler,
            parser.EndElementHandler,
            parser.CharacterDataHandler,
            parser.DefaultHandlerExpand,
        ) = self.handlers
        self.handlers = None
        self.skip_until = -1
        self.end(name)

    def end(self, name: str) -> None:
        if self.known is not None:  # the end of a known row: nothing was built for it
            self.events.append(("known", *self.known, ()))
            self.known = None
            return
        elem = self.builder.end(name)
        level = self.levels.pop()
        path = None
        if level.path is None:
            self.deep.pop()
            if level.wanted:
                path = self.path_below(self.levels[-1], level.name)
        elif level.wanted:
            path = level.path
        if level.spanned:
            self.spans.end(elem, self.expat.CurrentByteIndex)  # type: ignore[union-attr]
        stack = self.stack
        stack.pop()
        if path is not None:
            self.events.append(("end", elem, path, tuple(stack)))
            parent = stack[-1]
            # A finished subtree is its parent's latest child; dropping it here keeps
            # memory to the events of one chunk.
            if len(parent) and parent[-1] is elem:
                del parent[-1]

    def close(self) -> Element:
        return self.builder.close()


def _fed_in_runs(
    data: bytes,
    spans: Spans,
    target: _Target,
    feed: Callable[[int, int], Iterator[Event]],
) -> Iterator[tuple[str, int, Block | None]]:
    """Where `iter_xml` feeds the file in runs: ("feed", end, None) to feed up to `end`
    with the handlers on, ("run", end, Block) to feed up to `end` with them off. Asks
    `spans.runs_for` once the rows' section has started; everything not in a run is fed
    as usual (the caller feeds the rest of the file after the last)."""
    assert spans.runs_for is not None
    path, ask = spans.runs_for
    container, row = path[-2].encode(), b"<" + path[-1].encode() + b" "
    opening = re.compile(b"<" + re.escape(container) + rb"[\s/>]").search(data)
    if opening is None:
        return
    tag = _START_TAG.match(data, opening.start())
    if tag is None or tag.group(2):  # no rows in it
        return
    begin = tag.end()
    end = data.find(b"</" + container, begin)
    # Only where every "<" up to the section's end starts a tag: no comment, CDATA,
    # DOCTYPE (refused anyway) or processing instruction but the XML declaration.
    declaration = data.find(b"<?", 0, end)
    if (
        end < 0
        or data.find(b"<!", 0, end) >= 0
        or (declaration >= 0 and (declaration > 3 or data.find(b"<?", declaration + 2, end) >= 0))
    ):
        return
    yield "feed", begin, None
    # Fed up to the end of that start tag: it must be the section's own, open now, with
    # no row being read.
    if (
        len(target.levels) != len(path)
        or target.levels[-1].path != path[:-1]
        or target.known is not None
        or target.handlers is not None
        or not target.stack
    ):
        return
    runs = ask(target.stack[0])
    if runs is None or not runs.at:
        return
    parts = data[begin:end].split(row)
    pieces = parts[1:]
    # Each piece as the row tag plus what follows up to the next row tag, digested in C.
    digests = list(
        map(
            methodcaller("digest"),
            map(partial(hashlib.blake2b, digest_size=Spans.SIZE), map(row.__add__, pieces)),
        )
    )
    offsets = list(
        accumulate(map(len, pieces), partial(_plus, len(row)), initial=begin + len(parts[0]))
    )
    at, stored = runs.at, runs.spans
    count, k = len(digests), 0
    while k < count:
        first = at.get(digests[k])
        if first is None:
            k += 1
            continue
        n = 1
        while k + n < count and first + n < len(stored) and digests[k + n] == stored[first + n]:
            n += 1
        yield "feed", offsets[k], None
        # A run starts only between two rows of the section (expat fed up to here, the
        # handlers on): not in a row's children.
        if (
            len(target.levels) != len(path)
            or target.levels[-1].path != path[:-1]
            or target.known is not None
            or target.handlers is not None
        ):
            k += 1
            continue
        yield "run", offsets[k + n], Block(first, n)
        k += n


def _plus(extra: int, total: int, size: int) -> int:
    return total + size + extra


def iter_xml(
    stream: BinaryIO,
    *,
    file: str | Path,
    want: Callable[[Path_], bool],
    on_bytes: Callable[[int], None] | None = None,
    spans: Spans | None = None,
) -> Iterator[Event]:
    """Yield ("start", root, path, ()) once, then ("end", elem, path, ancestors) per subtree.

    `path` is the tuple of local names from the root; `ancestors` the enclosing elements
    (their attributes complete, their children not). A yielded subtree is already
    detached from its parent, so nothing but the caller holds it. With `spans`, each
    subtree's digest is in `spans.by_element` when it is yielded; with `spans.runs_for`,
    runs of known rows come as ("block", Block, path, ()) (see the module doc).
    """
    target = _Target(want, file)
    data = b""
    if spans is not None:
        data = spans.data = stream.read()
        stream = BytesIO(data)
        target.spans = spans
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    target.expat = parser.parser
    # The defused parser keeps its DTD and entity guards; only the element handlers
    # are replaced (as XMLParser itself does for pull parsing).
    parser.parser.StartElementHandler = target.start
    parser.parser.EndElementHandler = target.end
    # Attributes as a dict built by expat (XMLParser asks for a list to build its own).
    parser.parser.ordered_attributes = False
    run = 0  # bytes since the last "<" read

    def check(chunk: bytes) -> None:
        """The token limit, on each chunk before it is fed (see `MAX_TOKEN`)."""
        nonlocal run
        first = chunk.find(b"<")
        run += len(chunk) if first < 0 else first
        if run > MAX_TOKEN:
            raise ImportFailure(
                f"a tag or text larger than {MAX_TOKEN // 1024} KiB",
                file=file,
                line=target.expat.CurrentLineNumber,
                hint="no ArchiMate model holds a single value this large (an "
                "attribute, a name, a documentation); the file is damaged or hostile",
            )
        if first >= 0:
            run = len(chunk) - 1 - chunk.rfind(b"<")

    def feed(start: int, end: int) -> Iterator[Event]:
        """data[start:end] fed, cut where the file's chunks are cut: each chunk is checked
        (and counted) as it starts, as the loop below does, so that what is refused, and
        the line it is refused at, do not depend on where the runs are."""
        while start < end:
            if start % CHUNK == 0:
                chunk = data[start : start + CHUNK]
                check(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
            cut = min(end, (start // CHUNK + 1) * CHUNK)
            parser.feed(data[start:cut])
            events, target.events = target.events, []
            yield from events
            start = cut

    try:
        if spans is not None and spans.runs_for is not None:
            done = 0
            for kind, at, item in _fed_in_runs(data, spans, target, feed):
                if kind == "feed":
                    yield from feed(done, at)
                    done = at
                else:  # a run: [done, at) with every handler off
                    assert item is not None  # a run's block
                    parser_ = target.expat
                    saved = (
                        parser_.StartElementHandler,
                        parser_.EndElementHandler,
                        parser_.CharacterDataHandler,
                        parser_.DefaultHandlerExpand,
                    )
                    parser_.StartElementHandler = None
                    parser_.EndElementHandler = None
                    parser_.CharacterDataHandler = None
                    parser_.DefaultHandlerExpand = None
                    try:
                        yield from feed(done, at)
                    finally:
                        (
                            parser_.StartElementHandler,
                            parser_.EndElementHandler,
                            parser_.CharacterDataHandler,
                            parser_.DefaultHandlerExpand,
                        ) = saved
                    spans.block(done, at, item.rows)
                    yield ("block", item, spans.runs_for[0], ())
                    done = at
            yield from feed(done, len(data))
            parser.close()
            events, target.events = target.events, []
            yield from events
            return
        while True:
            chunk = stream.read(CHUNK)
            if chunk:
                check(chunk)
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
    except LookupError as exc:  # expat asks Python for an encoding it does not know
        raise ImportFailure(
            f"the file declares an encoding that is not known ({exc})",
            file=file,
            line=1,
            hint="ArchiMate tools write UTF-8: fix the encoding in the <?xml …?> "
            "declaration, or save the file as UTF-8",
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
    finally:
        # Expat holds the target's handlers: without this the two would keep each other
        # (and the document's root) alive until the cycle collector came by.
        target.expat = None


def text_of(elem: Element | None) -> str:
    if elem is None:
        return ""
    return "".join(elem.itertext()).strip() if len(elem) else (elem.text or "").strip()

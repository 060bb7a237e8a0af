"""Archi's archive format: a `.archimate` file that is a zip holding `model.xml` and images.

Archi saves a model this way as soon as it holds an image (a diagram's image, an
element's icon). Only `model.xml` is read; the images are not part of the graph.

A zip is a classic way to smuggle a huge input past a size limit ("zip bomb"), so the
archive is bounded before a byte is inflated: the number of entries, `model.xml`'s
declared size and its compression ratio; and while it is read, the bytes that actually
come out are counted against the same cap (a declared size can lie).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from importers.errors import ImportFailure

ZIP_MAGIC = b"PK\x03\x04"
MODEL_ENTRY = "model.xml"
# Generous for a real model (a few hundred images), small enough to list cheaply.
MAX_ENTRIES = 10_000
# An inflated model.xml: at most this, and at most this many times its compressed size.
# Archi's XML compresses 10 to 30 times; more than 200 is not a model.
MAX_MODEL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
_HINT = (
    "Archi saves a model holding images as a zip with model.xml and images/; "
    "open the model in Archi and save it again"
)


def is_archive(head: bytes) -> bool:
    """Whether a file's first bytes are a zip's (for format detection)."""
    return head.startswith(ZIP_MAGIC)


@dataclass(frozen=True)
class Archived:
    """The model XML to read: its stream, the name errors give it, and the images skipped."""

    stream: BinaryIO
    file: str
    images: int


# What a damaged archive makes zipfile raise (a bad offset is an OSError from seek).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    ValueError,
    OverflowError,
    struct.error,
    OSError,
)


def _damaged(exc: Exception, file: str | Path) -> ImportFailure:
    return ImportFailure(f"a damaged or unreadable zip archive: {exc}", file=file, hint=_HINT)


class _Capped:
    """A read-only stream that refuses to give more than `limit` bytes."""

    def __init__(self, inner: IO[bytes], limit: int, file: str) -> None:
        self.inner = inner
        self.limit = limit
        self.file = file
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        try:
            chunk = self.inner.read(size)
        except _ZIP_ERRORS as exc:  # a bad CRC, cut or corrupt data
            raise _damaged(exc, self.file) from exc
        self.read_so_far += len(chunk)
        if self.read_so_far > self.limit:
            raise ImportFailure(
                f"model.xml inflates to more than {self.limit} bytes",
                file=self.file,
                hint="the archive is not what it declares (a zip bomb?); " + _HINT,
            )
        return chunk


def _model_entry(archive: zipfile.ZipFile, path: Path) -> tuple[zipfile.ZipInfo, int, int]:
    """(model.xml's entry, the cap on its inflated size, how many other files)."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ImportFailure(
            f"the zip archive holds {len(infos)} entries, more than {MAX_ENTRIES}",
            file=path,
            hint=_HINT,
        )
    entry = next((i for i in infos if i.filename == MODEL_ENTRY), None)
    if entry is None:
        names = ", ".join(i.filename for i in infos[:5]) or "nothing"
        raise ImportFailure(
            f"the zip archive holds no model.xml (it holds {names})", file=path, hint=_HINT
        )
    limit = min(MAX_MODEL_BYTES, max(entry.compress_size, 1) * MAX_RATIO)
    if entry.file_size > limit:
        raise ImportFailure(
            f"model.xml declares {entry.file_size} bytes from {entry.compress_size} "
            f"compressed, over the limit of {limit}",
            file=path,
            hint="refused as a possible zip bomb; " + _HINT,
        )
    if entry.flag_bits & 0x1:
        raise ImportFailure("model.xml is encrypted in the zip archive", file=path, hint=_HINT)
    others = sum(1 for i in infos if i is not entry and not i.is_dir())
    # At most what it declares: zipfile stops there, and the cap stops a lie.
    return entry, min(limit, entry.file_size), others


@contextmanager
def archived_model(path: Path) -> Iterator[Archived]:
    """`model.xml` of an Archi archive, bounded; `ImportFailure` when it is not one."""
    file = f"{path}!{MODEL_ENTRY}"
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise _damaged(exc, path) from exc
    with archive:
        entry, limit, others = _model_entry(archive, path)
        try:
            inner = archive.open(entry)
        except _ZIP_ERRORS as exc:
            raise _damaged(exc, path) from exc
        with inner:
            yield Archived(_Capped(inner, limit, file), file, others)  # type: ignore[arg-type]

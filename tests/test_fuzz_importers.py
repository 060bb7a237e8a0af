"""Fuzzing the importers: whatever the bytes, an import either succeeds or is refused with
an `ImportFailure` naming the file — never another exception, a hang or a partial parse.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importers.errors import ImportFailure
from importers.preparation import prepare

DATA = Path(__file__).parent / "data" / "imports"
SEEDS = {
    "exchange": (DATA / "bank.xml").read_bytes(),
    "archi": (DATA / "bank.archimate").read_bytes(),
    "backstage": next((DATA / "catalog").glob("*.yaml")).read_bytes(),
}
SUFFIX = {"exchange": ".xml", "archi": ".archimate", "backstage": ".yaml"}

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same inputs every run: bounded and reproducible in CI
    suppress_health_check=list(HealthCheck),
)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """A valid file with a few bytes flipped, cut, duplicated or inserted."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup", "truncate"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b"<",
                        b">",
                        b"&",
                        b'"',
                        b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
                        b"\x00",
                        b"]]>",
                        b"{",
                        b"- ",
                        b": ",
                        b"\xff\xfe",
                        b"&a;",
                        b"<?xml?>",
                    ]
                )
            )
        elif op == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 500))]
        elif op == "truncate":
            del data[at:]
    return bytes(data)


def _prepare(content: bytes, fmt: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"model{suffix}"
        path.write_bytes(content)
        try:
            prepare(path, fmt=fmt)
        except ImportFailure as exc:
            assert exc.file is not None and exc.message  # says what and where


@given(st.sampled_from(sorted(SEEDS)).flatmap(lambda f: st.tuples(st.just(f), mutated(SEEDS[f]))))
@FUZZ
def test_mutated_files_are_imported_or_refused_cleanly(case: tuple[str, bytes]) -> None:
    fmt, content = case
    _prepare(content, fmt, SUFFIX[fmt])


ZIPPED = (DATA / "shapes" / "zipped_with_images.archimate").read_bytes()


@given(mutated(ZIPPED))
@FUZZ
def test_mutated_zipped_archi_models_are_imported_or_refused_cleanly(content: bytes) -> None:
    """Archi's zip archive: a damaged zip is refused, never another exception."""
    _prepare(content, "archi", ".archimate")


@given(st.binary(max_size=2000), st.sampled_from(["auto", "exchange", "archi", "backstage"]))
@FUZZ
def test_arbitrary_bytes_are_refused_cleanly(content: bytes, fmt: str) -> None:
    _prepare(content, fmt, ".xml" if fmt in ("auto", "exchange") else SUFFIX[fmt])


@given(st.lists(st.lists(st.text(max_size=30), max_size=6), max_size=8))
@FUZZ
def test_arbitrary_csv_is_refused_cleanly(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        header = '"ID","Type","Name","Documentation","Specialization"\n'
        body = "".join(",".join(f'"{c}"' for c in row) + "\n" for row in rows)
        (folder / "elements.csv").write_text(header + body)
        (folder / "relations.csv").write_text(
            '"ID","Type","Name","Documentation","Source","Target","Specialization"\n' + body
        )
        (folder / "properties.csv").write_text('"ID","Key","Value"\n' + body)
        try:
            prepare(folder, fmt="csv")
        except ImportFailure as exc:
            assert exc.message

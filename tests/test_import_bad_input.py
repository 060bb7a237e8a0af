"""Bad and hostile input: each is refused with the file, the line and what to do."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from importers.bounded_yaml import AliasExpansionError, safe_load
from importers.errors import ImportFailure, ImportTooLarge
from importers.mapping import load_mapping
from importers.preparation import prepare

BAD = Path(__file__).parent / "data" / "imports" / "bad"


@pytest.mark.parametrize(
    ("name", "line", "message", "hint"),
    [
        ("malformed.xml", 7, "malformed XML: mismatched tag", "not well-formed"),
        ("wrong_namespace.xml", 2, "wrong namespace", "Open Group ArchiMate exchange file"),
        ("archimate2.xml", 2, "wrong namespace", "only ArchiMate 3.x"),
        ("billion_laughs.xml", 2, "declares a DTD", "entity-expansion"),
        ("external_entity.xml", 2, "declares a DTD", "external-entity"),
        ("external_dtd.xml", 2, "declares a DTD", "never need a DTD"),
        ("duplicate_ids.xml", 8, "duplicate id 'cap-1' (first used at line 5)", "new id"),
        ("unknown_type.xml", 8, "unknown element type(s) 'BusinesActor'", "unknown_types: keep"),
        ("malformed.yaml", 13, "malformed YAML", "fix the YAML"),
        ("not_backstage.yaml", 1, "not a Backstage entity: apiVersion is 'apps/v1'", "kind"),
        ("malformed_csv", 4, "malformed CSV: unexpected end of data", "quoting"),
        ("wrong_header_csv", 1, "unexpected header", '"ID","Type","Name"'),
    ],
)
def test_bad_input_is_refused_with_file_line_and_hint(
    name: str, line: int, message: str, hint: str
) -> None:
    started = time.monotonic()
    with pytest.raises(ImportFailure) as err:
        prepare(BAD / name)
    failure = err.value
    assert message in failure.message
    assert failure.line == line
    assert failure.file is not None and Path(failure.file).name in (name, "elements.csv")
    assert failure.hint and hint in failure.hint
    assert f":{line}: " in failure.render()
    assert time.monotonic() - started < 5  # refused up front, nothing expanded


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        (BAD / "external_entity.xml").read_text().replace("file:///etc/passwd", secret.as_uri()),
        encoding="utf-8",
    )
    with pytest.raises(ImportFailure) as err:
        prepare(path)
    assert "TOP-SECRET" not in err.value.render()


def test_a_yaml_alias_bomb_is_refused_quickly_at_its_line() -> None:
    started = time.monotonic()
    with pytest.raises(ImportFailure) as err:
        prepare(BAD / "yaml_bomb.yaml")
    assert time.monotonic() - started < 5
    failure = err.value
    assert "aliases expand to more than" in failure.message
    assert failure.file and Path(failure.file).name == "yaml_bomb.yaml"
    assert failure.line == 11  # the alias that crossed the bound
    assert failure.hint and "fewer aliases" in failure.hint


def test_a_yaml_alias_bomb_in_a_folder_or_a_mapping_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "bomb.yaml").write_bytes((BAD / "yaml_bomb.yaml").read_bytes())
    with pytest.raises(ImportFailure, match="aliases expand"):
        prepare(folder)
    mapping = tmp_path / "mapping.yaml"
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    mapping.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailure) as err:
        load_mapping("backstage", mapping)
    assert err.value.line == 6 and err.value.hint and "fewer aliases" in err.value.hint


def test_yaml_aliases_within_the_bound_still_work() -> None:
    assert safe_load("base: &b {x: 1}\nc: {<<: *b, y: 2}\nd: [*b, *b]") == {
        "base": {"x": 1},
        "c": {"x": 1, "y": 2},
        "d": [{"x": 1}, {"x": 1}],
    }
    with pytest.raises(AliasExpansionError, match="contains it"):
        safe_load("a: &x [1, *x]")


@pytest.mark.parametrize(
    "huge",
    [
        '<documentation xml:lang="en">{}</documentation>',  # a text node
        '<name xml:lang="en" title="{}">A</name>',  # an attribute
    ],
)
def test_a_huge_xml_token_is_refused_quickly(tmp_path: Path, huge: str) -> None:
    path = tmp_path / "huge.xml"
    head = (BAD / "malformed.xml").read_text(encoding="utf-8").split('<name xml:lang="en">A')[0]
    path.write_text(
        head + huge.format("x" * 40 * 1024 * 1024) + "</element></elements></model>",
        encoding="utf-8",
    )
    started = time.monotonic()
    with pytest.raises(ImportFailure) as err:
        prepare(path)
    assert time.monotonic() - started < 5
    failure = err.value
    assert "a tag or text larger than 1024 KiB" in failure.message
    assert failure.line == 6 and failure.hint and "damaged or hostile" in failure.hint


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<model/>" + b" " * 5000)
    with pytest.raises(ImportTooLarge, match="over the import limit of 4096 bytes") as err:
        prepare(big, max_bytes=4096)
    assert err.value.file == str(big)
    assert "VALUEGRAPH_MAX_UPLOAD_BYTES" in (err.value.hint or "")


def test_the_size_limit_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALUEGRAPH_MAX_UPLOAD_BYTES", "100")
    path = tmp_path / "m.xml"
    path.write_bytes(b"<model/>" + b" " * 200)
    with pytest.raises(ImportTooLarge):
        prepare(path)


def test_empty_and_missing_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ImportFailure, match="malformed XML: no element found"):
        prepare(empty, fmt="exchange")
    with pytest.raises(ImportFailure, match="no such file"):
        prepare(tmp_path / "missing.xml")
    with pytest.raises(ImportFailure, match="unknown format 'visio'"):
        prepare(BAD / "malformed.xml", fmt="visio")


def test_an_unknown_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "enc.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="U_F-8"?>\n<model/>')
    with pytest.raises(ImportFailure, match=r"encoding that is not known.*U_F-8") as err:
        prepare(path, fmt="exchange")
    assert err.value.line == 1 and "UTF-8" in (err.value.hint or "")


def test_a_relationship_type_outside_archimate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rel.xml"
    path.write_text(
        '<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">\n'
        "<elements>\n"
        '<element identifier="a" xsi:type="Capability"><name>A</name></element>\n'
        '<element identifier="b" xsi:type="Capability"><name>B</name></element>\n'
        "</elements><relationships>\n"
        '<relationship identifier="r" source="a" target="b" xsi:type="UsedBy"/>\n'
        "</relationships></model>",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailure, match="unknown relationship type\\(s\\) 'UsedBy'") as err:
        prepare(path)
    assert err.value.line == 6


def test_a_wrong_format_choice_names_the_right_one() -> None:
    with pytest.raises(ImportFailure) as err:
        prepare(Path(__file__).parent / "data" / "imports" / "bank.archimate", fmt="exchange")
    assert "use --format archi" in (err.value.hint or "")

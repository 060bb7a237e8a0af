"""Files as real tools write them, read in full rather than refused (issue 12, section 2).

Each fixture in tests/data/imports/shapes reproduces one shape a real tool writes (Archi
5's blank `<property/>`, Archi 3's ArchiMate 2.1 names, Archi's zip archive, Archi's CSV
export, a repository's Backstage folder, an exchange file's unspecified access). The
counts below are written by hand from the fixture, not taken from a run.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from importers.errors import ImportFailure
from importers.preparation import prepare

SHAPES = Path(__file__).parent / "data" / "imports" / "shapes"


def read(path: Path) -> dict[str, Any]:
    return dict(prepare(path).result)


def codes(result: dict[str, Any]) -> Counter[str]:
    return Counter(w.code for w in result["warnings"])


def edges(result: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r["type"], r["source"], r["target"]) for r in result["relationships"]}


def props_of(result: dict[str, Any], ident: str) -> dict[str, Any]:
    import json

    node = next(n for n in result["nodes"] if n["id"] == ident)
    return dict(json.loads(node["props"].get("properties") or "{}"))


# -- blank properties -----------------------------------------------------------------


def test_an_archi_property_without_a_key_is_skipped_with_its_own_line() -> None:
    result = read(SHAPES / "blank_property.archimate")
    counts = result["counts"]
    assert counts["elements_in_file"] == 3 and counts["relationships_in_file"] == 2
    assert counts["nodes"] == {"Team": 1, "GenericElement": 1, "Platform": 1}
    assert counts["relationships"] == {"OWNS": 1, "RELATED_TO": 1}  # serving a process: kept
    blank = [w for w in result["warnings"] if w.code == "property-without-key"]
    # the actor's, the process's (its value named), the relationship's, the model's
    assert [(w.line, w.subject) for w in blank] == [
        (5, "id-actor-1"),
        (9, "id-proc-1"),
        (18, "id-rel-2"),
        (22, "the model"),
    ]
    assert all(w.file == str(SHAPES / "blank_property.archimate") for w in blank)
    assert "'orphan value' not kept" in blank[1].message
    assert len(result["warnings"]) == 4
    assert props_of(result, "id-actor-1")["Cost centre"] == "CC-12"


def test_an_empty_key_row_in_archi_csv_is_blamed_on_properties_csv() -> None:
    result = read(SHAPES / "blank_property_csv")
    counts = result["counts"]
    assert counts["elements_in_file"] == 3 and counts["relationships_in_file"] == 2
    assert counts["nodes"] == {"Team": 1, "GenericElement": 1, "Platform": 1}
    assert counts["relationships"] == {"OWNS": 1, "RELATED_TO": 1}  # serving a process: kept
    properties_csv = str(SHAPES / "blank_property_csv" / "properties.csv")
    assert [(w.code, w.file, w.line) for w in result["warnings"]] == [
        ("property-without-key", properties_csv, 2),
        ("property-without-key", properties_csv, 3),
        ("property-without-key", properties_csv, 5),
        ("property-without-key", properties_csv, 6),
    ]
    assert props_of(result, "id-actor-1")["Cost centre"] == "CC-12"


# -- ArchiMate 2.1 names and old Archi files ------------------------------------------


def test_an_archi_3_model_is_migrated_as_archi_migrates_it() -> None:
    result = read(SHAPES / "archi3_legacy.archimate")
    counts = result["counts"]
    assert counts["elements_in_file"] == 10
    assert counts["relationships_in_file"] == 8
    assert counts["views_in_file"] == 1
    # Node, Device, Hosting (TechnologyService) and Core Banking are platforms; the
    # process, interface, function, network, path and junction generic; plus the view.
    assert counts["nodes"] == {"Platform": 4, "GenericElement": 7}
    assert counts["relationships"] == {"USES": 2, "RELATED_TO": 6}
    types = {n["id"]: n["props"].get("original_type") for n in result["nodes"]}
    # Ids starting with a digit take Archi's exchange spelling ("id-…"; importers.identity).
    assert types["id-2c3d4e5f"] == "TechnologyInterface"
    assert types["id-3d4e5f60"] == "TechnologyFunction"
    assert types["id-4e5f6071"] == "CommunicationNetwork"
    assert types["id-5f607182"] == "Path"
    assert types["id-718293a4"] == "Junction"
    assert props_of(result, "id-718293a4")["archimate:junctionType"] == "or"
    assert props_of(result, "id-1b2c3d4e")["archimate:type"] == "TechnologyService"
    # Realisation: the node realises the service (USES reversed); UsedBy: the service
    # serves the application (the application uses it).
    assert ("USES", "id-1b2c3d4e", "f6a7b8c9") in edges(result)
    assert ("USES", "d4e5f6a7", "id-1b2c3d4e") in edges(result)
    migrated = [w for w in result["warnings"] if w.code == "type-migrated"]
    assert [(w.line, w.message.split(":")[0]) for w in migrated] == [
        (12, "1 InfrastructureService read as TechnologyService"),
        (15, "1 InfrastructureInterface read as TechnologyInterface"),
        (16, "1 InfrastructureFunction read as TechnologyFunction"),
        (17, "1 Network read as CommunicationNetwork"),
        (18, "1 CommunicationPath read as Path"),
        (21, "1 OrJunction read as Junction"),
        (24, "1 RealisationRelationship read as RealizationRelationship"),
        (25, "2 UsedByRelationship read as ServingRelationship"),
        (30, "1 SpecialisationRelationship read as SpecializationRelationship"),
    ]
    assert len(result["warnings"]) == 9


def test_a_model_in_the_early_archi_namespace_is_read() -> None:
    result = read(SHAPES / "archi1_bolton.archimate")
    counts = result["counts"]
    assert (counts["elements_in_file"], counts["relationships_in_file"]) == (2, 1)
    assert counts["views_in_file"] == 1
    assert counts["nodes"] == {"Person": 1, "GenericElement": 2}
    assert counts["relationships"] == {"ACCOUNTABLE_FOR": 1}
    assert [(w.code, w.line) for w in result["warnings"]] == [("type-migrated", 11)]


def test_an_unknown_archi_namespace_is_named(tmp_path: Path) -> None:
    path = tmp_path / "future.archimate"
    path.write_text(
        '<archimate:model xmlns:archimate="http://www.archimatetool.com/archimate/9" '
        'name="m" id="m"/>',
        encoding="utf-8",
    )
    with pytest.raises(ImportFailure) as err:
        prepare(path)
    assert "'http://www.archimatetool.com/archimate/9'" in err.value.message
    assert err.value.hint and "not one Archi has written" in err.value.hint
    assert err.value.line == 1


def test_archi_csv_from_archi_3_is_migrated(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "elements.csv").write_text(
        '"ID","Type","Name","Documentation"\n'
        '"m1","ArchimateModel","Old",""\n'
        '"e1","Node","Server",""\n'
        '"e2","InfrastructureService","Hosting",""\n'
        '"e3","OrJunction","",""\n',
        encoding="utf-8",
    )
    (folder / "relations.csv").write_text(
        '"ID","Type","Name","Documentation","Source","Target"\n'
        '"r1","RealisationRelationship","","","e1","e2"\n',
        encoding="utf-8",
    )
    result = read(folder)
    assert result["counts"]["nodes"] == {"Platform": 2, "GenericElement": 1}
    assert result["counts"]["relationships"] == {"USES": 1}
    assert props_of(result, "e3")["archimate:junctionType"] == "or"
    assert [(w.code, Path(w.file).name, w.line) for w in result["warnings"]] == [
        ("type-migrated", "elements.csv", 4),
        ("type-migrated", "elements.csv", 5),
        ("type-migrated", "relations.csv", 2),
    ]


# -- Archi's zip archive --------------------------------------------------------------


def test_a_zipped_archi_model_is_read_from_its_model_xml() -> None:
    result = read(SHAPES / "zipped_with_images.archimate")
    counts = result["counts"]
    assert (counts["elements_in_file"], counts["relationships_in_file"]) == (2, 1)
    assert counts["nodes"] == {"Platform": 1, "GenericElement": 2}  # the view is one
    assert counts["relationships"] == {"RELATED_TO": 1}  # serving a business service
    assert [(w.code, w.message) for w in result["warnings"]] == [
        (
            "archive-read",
            "a zipped Archi model: model.xml read, 1 image file(s) in the archive not imported",
        ),
        # The view's image object goes with the images; its drawing keeps the rest.
        (
            "view-content-skipped",
            "1 DiagramModelImage object(s) not kept (the exchange format cannot draw them)",
        ),
    ]
    assert result["source"] == "archimate:id-9a8b7c6d5e4f"


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    model = (SHAPES / "zipped_with_images.model.xml").read_bytes()
    padded = model.replace(b"</archimate:model>", b" " * 20_000_000 + b"</archimate:model>")
    path = _zip(tmp_path / "bomb.archimate", {"model.xml": padded})
    with pytest.raises(ImportFailure, match=r"model\.xml declares 20001") as err:
        prepare(path)
    assert err.value.hint and "zip bomb" in err.value.hint


def test_a_zip_with_too_many_entries_or_no_model_is_refused(tmp_path: Path) -> None:
    many = _zip(tmp_path / "many.archimate", {f"images/{i}.png": b"" for i in range(10_001)})
    with pytest.raises(ImportFailure, match="10001 entries, more than 10000"):
        prepare(many)
    empty = _zip(tmp_path / "none.archimate", {"images/a.png": b"x"})
    with pytest.raises(ImportFailure, match=r"no model.xml \(it holds images/a.png\)"):
        prepare(empty)
    cut = tmp_path / "cut.archimate"
    cut.write_bytes((SHAPES / "zipped_with_images.archimate").read_bytes()[:200])
    with pytest.raises(ImportFailure, match="damaged or unreadable zip"):
        prepare(cut)


def test_a_declared_size_that_lies_is_caught_while_reading(tmp_path: Path) -> None:
    from importers.archive import archived_model

    model = (SHAPES / "zipped_with_images.model.xml").read_bytes()
    path = _zip(tmp_path / "lying.archimate", {"model.xml": model})
    with archived_model(path) as archived:
        archived.stream.limit = 100  # type: ignore[attr-defined]  # as if it declared 100
        with pytest.raises(ImportFailure, match="inflates to more than 100 bytes"):
            archived.stream.read(4096)


# -- Backstage repositories -----------------------------------------------------------

REPO = SHAPES / "backstage_repo"
REPO_NODES = {"Team": 1, "Person": 1, "Platform": 2}
REPO_EDGES = {
    ("MEMBER_OF", "user:default/alice", "group:default/payments-team"),
    ("OWNS", "group:default/payments-team", "component:default/payments-service"),
    ("OWNS", "group:default/payments-team", "api:default/payments-api"),
    ("USES", "api:default/payments-api", "component:default/payments-service"),
}


def test_a_backstage_folder_skips_what_is_not_an_entity() -> None:
    result = read(REPO)
    assert result["counts"]["nodes"] == REPO_NODES
    assert edges(result) == REPO_EDGES
    skipped = sorted(
        (Path(w.file).relative_to(REPO).as_posix(), w.line)
        for w in result["warnings"]
        if w.code == "not-an-entity"
    )
    assert skipped == [
        (".github/workflows/ci.yml", 1),
        ("charts/payments/templates/deployment.yaml", None),
        ("services/openapi.yaml", 1),
    ]
    assert codes(result) == {"not-an-entity": 3, "location-skipped": 2}


def test_a_location_is_followed_inside_the_tree_and_never_outside() -> None:
    result = read(REPO / "catalog-info.yaml")
    assert result["counts"]["nodes"] == REPO_NODES
    assert edges(result) == REPO_EDGES
    assert "component:default/outside-component" not in {n["id"] for n in result["nodes"]}
    not_followed = [w.message for w in result["warnings"]]
    assert len(not_followed) == 2
    assert "'../backstage_outside.yaml' not followed: it lies outside" in not_followed[0]
    assert "'https://github.com/example/shared/blob/main/catalog-info.yaml'" in not_followed[1]


def test_a_catalog_file_given_alone_must_still_be_one() -> None:
    with pytest.raises(ImportFailure, match="not a Backstage entity"):
        prepare(REPO / "services" / "openapi.yaml", fmt="backstage")


# -- exchange Access without accessType -----------------------------------------------


def test_an_exchange_access_without_access_type_is_unspecified() -> None:
    result = read(SHAPES / "exchange_text.xml")
    assert result["counts"]["nodes"] == {"GenericElement": 1, "Platform": 1, "DataAsset": 1}
    # A process reading and an application serving a process have no typed relationship
    # in the schema yet: kept as RELATED_TO with their ArchiMate type.
    assert result["counts"]["relationships"] == {"WRITES": 1, "RELATED_TO": 3}
    by_id = {r["id"]: r for r in result["relationships"]}
    unspecified = by_id["id-acc-unspecified"]
    assert unspecified["type"] == "RELATED_TO"
    assert unspecified["props"]["original_type"] == "Access"
    assert unspecified["props"]["access_type"] == "access"
    assert by_id["id-acc-write"]["type"] == "WRITES"


# -- text as written -------------------------------------------------------------------


def test_names_keep_their_inner_whitespace_and_text_its_carriage_returns() -> None:
    result = read(SHAPES / "exchange_text.xml")
    nodes = {n["id"]: n["props"] for n in result["nodes"]}
    assert nodes["id-proc-sign"]["name"] == "Check and  Sign Contract"
    assert nodes["id-app-crm"]["name"] == "CRM\tSystem"
    assert nodes["id-proc-sign"]["description"] == "line one\r\nline two\r\nline three"
    assert props_of(result, "id-app-crm")["Notes"] == "first\r\nsecond"
    serves = next(r for r in result["relationships"] if r["id"] == "id-serves")
    assert '"archimate:name": "supports  signing"' in serves["props"]["properties"]


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b"])
def test_a_control_character_in_archi_csv_is_refused_with_its_line(
    tmp_path: Path, character: str
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "elements.csv").write_text(
        '"ID","Type","Name","Documentation"\n'
        '"m1","ArchimateModel","M",""\n'
        f'"e1","Node","Ser{character}ver",""\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportFailure) as err:
        prepare(folder)
    assert err.value.line == 3
    assert err.value.file is not None and err.value.file.endswith("elements.csv")


def test_a_control_character_in_backstage_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
        '  name: svc\n  description: "bell \\x07 here"\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportFailure, match="control character U\\+0007") as err:
        prepare(path)
    assert err.value.line == 1
    raw = tmp_path / "raw.yaml"
    raw.write_bytes(b"apiVersion: backstage.io/v1alpha1\nkind: Component\n\x01\n")
    with pytest.raises(ImportFailure, match="malformed YAML") as err:
        prepare(raw)
    assert err.value.line == 3


# -- reading stays safe ----------------------------------------------------------------


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    xml = tmp_path / "deep.xml"
    xml.write_text(
        '<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" identifier="m">'
        "<organizations>" + "<item>" * 2000 + "</item>" * 2000 + "</organizations></model>",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailure, match="nested more than 500 levels"):
        prepare(xml)
    yml = tmp_path / "deep.yaml"
    yml.write_text("apiVersion: backstage.io/v1alpha1\nkind: " + "[" * 5000, encoding="utf-8")
    with pytest.raises(ImportFailure, match="malformed YAML"):
        prepare(yml)

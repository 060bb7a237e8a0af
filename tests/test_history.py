"""The change history on a real Neo4j: what each kind of change records, by whom and
through what, that nothing is recorded for no change or a failed one, that concurrent
writers are each recorded once and in commit order, and that the CLI, REST and GraphQL
read the same history."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import parse
from typer.testing import CliRunner

from app.cli.root import app as cli
from app.graphql import schema
from app.graphql.cost import estimate
from app.main import create_app
from app.settings import Settings
from graph import edits, history
from graph.labels import CHANGE, CHANGE_CHUNK, CHANGE_SET, type_of
from graph.model import NodeRecord, now_iso
from graph.store import ConflictError, GraphStore
from graph.tokens import Role, create_token
from importers.errors import ImportFailure
from importers.pipeline import run_import
from queries import history as hq
from queries.errors import QuestionError

DATA = Path(__file__).parent / "data" / "imports"
BANK = DATA / "bank.xml"
BANK_SOURCE = "archimate:id-model-bank"
LOCAL = "local developer (auth off)"  # the principal of a request with auth off


@pytest.fixture
def clean(store: GraphStore) -> GraphStore:
    """An empty model with no history (the fixture's reset is recorded like any other),
    and so no chain head either."""
    store.execute(
        f"MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_CHUNK} OR n:{CHANGE_SET} DETACH DELETE n"
    )
    store.execute("MATCH (m:ValuegraphMeta {key: 'revision'}) REMOVE m.history_head")
    return store


@pytest.fixture
def api(clean: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=clean)) as c:
        yield c


def _sets(store: GraphStore) -> list[hq.ChangeSet]:
    """Every change set, oldest first."""
    return list(reversed(hq.change_sets(store, limit=1000).items))


def _changes(store: GraphStore, seq: int) -> dict[str, hq.Change]:
    return {f"{c.kind[0]}:{c.id}": c for c in hq.change_set(store, seq, limit=1000).items}


def _counts(cs: hq.ChangeSet) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    e, r = cs.elements, cs.relationships
    return (e.created, e.updated, e.deleted), (r.created, r.updated, r.deleted)


# -- the hand-worked sequence ----------------------------------------------------------------


def test_a_sequence_of_changes_is_recorded_as_worked_out_by_hand(
    clean: GraphStore, api: TestClient
) -> None:
    # 1. Import the bank (from the CLI's side: no request, so the OS user via cli).
    report = run_import(clean, BANK)
    [imported] = _sets(clean)
    assert imported.action == "import" and imported.via == "cli"
    assert imported.ref == report["run_id"] and imported.source == BANK_SOURCE
    assert imported.actor == history.current_origin().actor
    # 15 elements (the view too) and the 19 relationships with an id.
    assert _counts(imported) == ((15, 0, 0), (19, 0, 0))
    core = _changes(clean, imported.seq)["e:app-core"]
    assert core.op == "created" and core.before is None
    assert core.after is not None and core.after["name"] == "Core Banking"
    assert core.after["type"] == "Platform" and core.after["source"] == BANK_SOURCE
    hosts = _changes(clean, imported.seq)["r:r-hosts"]
    assert hosts.after is not None
    assert (hosts.after["type"], hosts.after["source"], hosts.after["target"]) == (
        "USES",
        "app-core",
        "node-k8s",
    )

    # 2. An edit over REST: one element updated, one field.
    patched = api.patch("/api/nodes/app-core", json={"description": "Runs the loans"})
    assert patched.status_code == 200, patched.text
    edit = _sets(clean)[-1]
    assert (edit.action, edit.via, edit.actor) == ("edit", "rest", LOCAL)
    assert edit.request.startswith("PATCH /api/nodes/app-core ")
    assert _counts(edit) == ((0, 1, 0), (0, 0, 0))
    change = _changes(clean, edit.seq)["e:app-core"]
    assert change.fields == ["description"]
    assert change.before is not None and change.before["description"] == ""
    assert change.after is not None and change.after["description"] == "Runs the loans"
    assert change.before["name"] == change.after["name"] == "Core Banking"

    # 3. The same file again puts back what the file says (the import owns the fields it
    # writes): one element updated, through the import. Once more: nothing to record.
    run_import(clean, BANK)
    restored = _sets(clean)[-1]
    assert (restored.action, restored.source) == ("import", BANK_SOURCE)
    assert _counts(restored) == ((0, 1, 0), (0, 0, 0))
    back = _changes(clean, restored.seq)["e:app-core"]
    assert back.fields == ["description"] and back.before == change.after
    assert back.after is not None and back.after["description"] == ""
    seqs = [s.seq for s in _sets(clean)]
    again = run_import(clean, BANK)
    assert again["written"]
    assert [s.seq for s in _sets(clean)] == seqs

    # 4. A scenario that retires Kubernetes, applied: the node and its two relationships.
    made = api.post(
        "/api/scenarios",
        json={"name": "no-k8s", "operations": [{"op": "remove_element", "element": "node-k8s"}]},
    )
    assert made.status_code == 201, made.text
    assert api.post("/api/scenarios/no-k8s/apply").status_code == 200
    applied = _sets(clean)[-1]
    assert (applied.action, applied.ref, applied.via) == ("scenario", "no-k8s", "rest")
    assert _counts(applied) == ((0, 0, 1), (0, 0, 2))
    gone = _changes(clean, applied.seq)
    assert set(gone) == {"e:node-k8s", "r:r-hosts", "r:r-flow-2"}
    assert all(c.op == "deleted" and c.after is None for c in gone.values())
    assert gone["e:node-k8s"].before is not None
    assert gone["e:node-k8s"].before["name"] == "Kubernetes"

    # 5. A delete over REST: the data asset and the platform's reads and writes of it.
    assert api.delete("/api/nodes/data-loan").status_code == 204
    deleted = _sets(clean)[-1]
    assert (deleted.action, deleted.via) == ("edit", "rest")
    assert deleted.request.startswith("DELETE /api/nodes/data-loan ")
    assert _counts(deleted) == ((0, 0, 1), (0, 0, 2))
    assert set(_changes(clean, deleted.seq)) == {"e:data-loan", "r:r-reads", "r:r-writes"}

    # Five change sets in all, in commit order; each element's versions newest first.
    assert [s.action for s in _sets(clean)] == ["import", "edit", "import", "scenario", "edit"]
    versions = hq.element_history(clean, "app-core").items
    assert [(v.op, v.change_set.action) for v in versions] == [
        ("updated", "import"),
        ("updated", "edit"),
        ("created", "import"),
    ]
    assert versions[0].before == versions[1].after and versions[1].before == versions[2].after
    k8s = hq.element_history(clean, "node-k8s").items
    assert [v.op for v in k8s] == ["deleted", "created"]
    assert [v.op for v in hq.element_history(clean, "r-hosts").items] == ["deleted", "created"]


def test_history_nodes_stay_out_of_the_model(clean: GraphStore) -> None:
    run_import(clean, BANK)
    assert hq.change_sets(clean).total == 1
    stats = clean.stats()
    assert sum(stats["nodes"].values()) == 15
    assert sum(stats["relationships"].values()) == 19
    labels = clean.read(f"MATCH (c) WHERE c:{CHANGE} OR c:{CHANGE_SET} RETURN labels(c) AS l")
    assert len(labels) == 1 + 34
    assert all("Element" not in r["l"] for r in labels)


# -- nothing to record -------------------------------------------------------------------


def test_a_reimport_that_changes_nothing_records_nothing(clean: GraphStore) -> None:
    run_import(clean, BANK)
    seqs = [s.seq for s in _sets(clean)]
    run_import(clean, BANK)
    run_import(clean, BANK, prune=True)
    assert [s.seq for s in _sets(clean)] == seqs


def test_an_edit_to_the_same_values_records_nothing(clean: GraphStore) -> None:
    run_import(clean, BANK)
    count = len(_sets(clean))
    node = clean.get_node("app-core")
    assert node is not None
    edits.update_node(clean, "app-core", {"name": node["name"]})
    assert len(_sets(clean)) == count


def test_a_refused_import_records_nothing(clean: GraphStore) -> None:
    run_import(clean, BANK)
    count = len(_sets(clean))
    with pytest.raises(ImportFailure):
        run_import(clean, DATA / "bad" / "duplicate_ids.xml")
    assert len(_sets(clean)) == count


def test_a_write_that_fails_in_neo4j_records_nothing(clean: GraphStore) -> None:
    node = NodeRecord(label="Team", id="t-doomed", props={"name": "Doomed"})

    def fail(tx: Any) -> None:
        tx.run("RETURN 1 / 0").consume()  # a Neo4j error after the upserts, mid-write

    with pytest.raises(Exception, match="/ by zero"):
        clean.write([node], also=fail)
    assert clean.get_node("t-doomed") is None
    assert _sets(clean) == []


# -- concurrent writers ------------------------------------------------------------------

FIELDS: dict[str, Any] = {
    "name": "Mortgage (renamed)",
    "description": "From application to offer",
    "tags": ["core"],
    "properties": {"owner": "lending"},
    "purpose": "Homes",
    "outcome": "A mortgage offer",
    "funding_model": "persistent",
    "lifecycle_status": "active",
}


def _at_once(work: list[Callable[[], Any]]) -> list[BaseException | None]:
    start = threading.Barrier(len(work))
    errors: list[BaseException | None] = [None] * len(work)

    def run(i: int) -> None:
        start.wait()
        try:
            work[i]()
        except BaseException as exc:  # collected, asserted by the caller
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_edits_of_one_node_are_each_recorded_once_in_commit_order(
    clean: GraphStore,
) -> None:
    edits.create_node(clean, edits.parse_node({"type": "ValueStream", "id": "vs", "name": "M"}))
    errors = _at_once(
        [
            (lambda f=f, v=v: edits.update_node(clean, "vs", {f: v}))  # type: ignore[misc]
            for f, v in FIELDS.items()
        ]
    )
    assert errors == [None] * len(FIELDS)
    versions = list(reversed(hq.element_history(clean, "vs", limit=100).items))
    assert [v.op for v in versions] == ["created"] + ["updated"] * len(FIELDS)
    # Each edit once, changing its own field only: it saw every edit committed before it.
    assert sorted(f for v in versions[1:] for f in v.fields) == sorted(FIELDS)
    assert all(len(v.fields) == 1 for v in versions[1:])
    for earlier, later in itertools.pairwise(versions):
        assert later.before == earlier.after
        assert later.seq > earlier.seq and later.at >= earlier.at
    final = clean.get_node("vs")
    assert final is not None and versions[-1].after is not None
    assert versions[-1].after["name"] == final["name"] == FIELDS["name"]
    assert versions[-1].after["properties"] == final["properties"] == FIELDS["properties"]


def test_racing_creates_of_one_id_record_the_one_that_won(clean: GraphStore) -> None:
    def create() -> None:
        edits.create_node(clean, edits.parse_node({"type": "Team", "id": "t-race", "name": "R"}))

    errors = _at_once([create] * 8)
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, ConflictError) for e in errors if e is not None)
    [created] = _sets(clean)
    assert _counts(created) == ((1, 0, 0), (0, 0, 0))
    assert [v.op for v in hq.element_history(clean, "t-race").items] == ["created"]


def test_racing_creates_of_different_ids_are_each_recorded(clean: GraphStore) -> None:
    def create(i: int) -> Callable[[], Any]:
        return lambda: edits.create_node(
            clean, edits.parse_node({"type": "Team", "id": f"t-{i}", "name": f"T{i}"})
        )

    assert _at_once([create(i) for i in range(8)]) == [None] * 8
    sets = _sets(clean)
    assert len(sets) == 8
    assert sorted(next(iter(_changes(clean, s.seq))) for s in sets) == sorted(
        f"e:t-{i}" for i in range(8)
    )


# -- reset, baseline, pruning ------------------------------------------------------------


def test_a_reset_records_every_deletion(clean: GraphStore) -> None:
    run_import(clean, BANK)
    clean.clear()
    resets = [s for s in _sets(clean) if s.action == "reset"]
    assert sum(s.elements.deleted for s in resets) == 15
    assert sum(s.relationships.deleted for s in resets) == 19
    assert hq.element_history(clean, "app-core").items[0].op == "deleted"


def test_the_baseline_records_an_existing_model_once(clean: GraphStore) -> None:
    run_import(clean, BANK)
    clean.execute(
        f"MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_CHUNK} OR n:{CHANGE_SET} DETACH DELETE n"
    )
    clean.execute("MATCH (m:ValuegraphMeta {key: 'history'}) DELETE m")
    seq = clean.transact(history.write_baseline)
    assert seq is not None
    assert clean.transact(history.write_baseline) is None  # once only
    [baseline] = _sets(clean)
    assert (baseline.action, baseline.via) == ("baseline", "startup")
    assert _counts(baseline) == ((15, 0, 0), (19, 0, 0))


def test_pruning_keeps_each_state_at_the_cut_and_is_recorded(clean: GraphStore) -> None:
    edits.create_node(clean, edits.parse_node({"type": "Team", "id": "t-a", "name": "A1"}))
    edits.update_node(clean, "t-a", {"name": "A2"})
    edits.create_node(clean, edits.parse_node({"type": "Team", "id": "t-b", "name": "B"}))
    clean.delete_node("t-b")
    time.sleep(0.005)
    cut = now_iso()
    time.sleep(0.005)
    edits.update_node(clean, "t-a", {"name": "A3"})
    for blank in ("", "  "):  # an empty field must not mean "before now"
        with pytest.raises(QuestionError, match="before is required"):
            hq.prune(clean, blank)
    pruned = hq.prune(clean, cut)
    assert (pruned.action, pruned.pruned_before) == ("prune", cut)
    # Before the cut: t-a's first version and all of t-b (deleted by then) go.
    assert pruned.pruned_changes == 3
    assert [v.after["name"] for v in hq.element_history(clean, "t-a").items if v.after] == [
        "A3",
        "A2",
    ]
    assert hq.element_history(clean, "t-b").total == 0
    assert [s.action for s in _sets(clean)] == ["edit", "edit", "prune"]
    with pytest.raises(Exception, match="future"):
        hq.prune(clean, "2999-01-01")


# -- the surfaces agree --------------------------------------------------------------------


def test_cli_rest_and_graphql_read_the_same_history(
    clean: GraphStore, api: TestClient, neo4j_server: dict[str, str | None], monkeypatch: Any
) -> None:
    run_import(clean, BANK)
    api.patch("/api/nodes/app-core", json={"criticality": "low"})
    api.patch("/api/nodes/app-core", json={"criticality": "medium"})

    rest_history = api.get("/api/history/app-core", params={"limit": 2}).json()
    assert rest_history["total"] == 3 and len(rest_history["items"]) == 2
    assert [i["op"] for i in rest_history["items"]] == ["updated", "updated"]
    rest_changes = api.get("/api/changes", params={"source": "rest"}).json()
    assert rest_changes["total"] == 2
    by_import = api.get("/api/changes", params={"source": BANK_SOURCE}).json()
    assert by_import["total"] == 1
    one = api.get(f"/api/changes/{by_import['items'][0]['seq']}", params={"limit": 5}).json()
    assert one["total"] == 34 and len(one["items"]) == 5

    gql = api.post(
        "/graphql",
        json={
            "query": """{
              history(id: "app-core", limit: 2) { total items { op fields changeSet { via } } }
              changes(source: "rest") { total items { seq actor action } }
            }"""
        },
    ).json()
    assert "errors" not in gql, gql
    assert gql["data"]["history"]["total"] == 3
    assert [i["op"] for i in gql["data"]["history"]["items"]] == ["updated", "updated"]
    assert gql["data"]["changes"]["total"] == 2
    assert [i["seq"] for i in gql["data"]["changes"]["items"]] == [
        i["seq"] for i in rest_changes["items"]
    ]

    monkeypatch.setenv("NEO4J_URI", str(neo4j_server["uri"]))
    if neo4j_server["user"]:
        monkeypatch.setenv("NEO4J_USER", str(neo4j_server["user"]))
        monkeypatch.setenv("NEO4J_PASSWORD", str(neo4j_server["password"]))
    runner = CliRunner()
    shown = runner.invoke(cli, ["history", "app-core", "--json"])
    assert shown.exit_code == 0, shown.output
    cli_history = json.loads(shown.stdout)
    assert cli_history["total"] == 3
    assert [i["seq"] for i in cli_history["items"][:2]] == [i["seq"] for i in rest_history["items"]]
    listed = runner.invoke(cli, ["changes", "--source", "rest", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["total"] == 2
    table = runner.invoke(cli, ["changes", "--by", LOCAL, "--limit", "1"])
    assert table.exit_code == 0 and "edit" in table.output


def test_a_graphql_mutation_is_recorded_as_the_callers_through_graphql(
    clean: GraphStore, api: TestClient
) -> None:
    run_import(clean, BANK)
    done = api.post(
        "/graphql",
        json={
            "query": 'mutation { updateNode(id: "app-core", patch: {criticality: "low"}) { id } }'
        },
    ).json()
    assert "errors" not in done, done
    edit = _sets(clean)[-1]
    assert (edit.action, edit.via, edit.actor) == ("edit", "graphql", LOCAL)
    assert edit.request.startswith("POST /graphql ")
    assert _changes(clean, edit.seq)["e:app-core"].fields == ["criticality"]


def test_reading_needs_viewer_and_pruning_admin(clean: GraphStore, api: TestClient) -> None:
    run_import(clean, BANK)
    assert api.get("/api/changes").status_code == 200
    assert api.get("/api/history/nowhere").json()["total"] == 0
    assert api.get("/api/changes/999999").status_code == 404
    # Past Neo4j's 64-bit integers (the fuzzer found it: a 500 from the driver).
    assert api.get(f"/api/changes/{2**63}").status_code == 404
    assert api.get("/api/changes", params={"since": "yesterday"}).status_code == 422
    pruned = api.post("/api/history/prune", json={"before": "2000-01-01"})
    assert pruned.status_code == 200, pruned.text
    assert pruned.json()["action"] == "prune"
    # There is no way to change or delete a change set over the API.
    assert api.delete("/api/changes/1").status_code in (404, 405)


def test_roles_viewer_reads_admin_prunes_and_edits_carry_the_token(
    clean: GraphStore, settings: Settings
) -> None:
    tokens = {
        r: {"Authorization": f"Bearer {create_token(clean, name=r.label, role=r)[1]}"} for r in Role
    }
    edits.create_node(clean, edits.parse_node({"type": "Team", "id": "t", "name": "T"}))
    on = settings.model_copy(update={"auth": "on"})
    with TestClient(create_app(on, store=clean)) as secured:
        assert secured.get("/api/changes").status_code == 401
        assert secured.get("/api/changes", headers=tokens[Role.VIEWER]).status_code == 200
        assert secured.get("/api/history/t", headers=tokens[Role.VIEWER]).status_code == 200
        body = {"before": "2000-01-01"}
        for role in (Role.VIEWER, Role.EDITOR):
            refused = secured.post("/api/history/prune", json=body, headers=tokens[role])
            assert refused.status_code == 403
        done = secured.patch("/api/nodes/t", json={"name": "T2"}, headers=tokens[Role.EDITOR])
        assert done.status_code == 200
        pruned = secured.post("/api/history/prune", json=body, headers=tokens[Role.ADMIN])
        assert pruned.status_code == 200
    edit, prune = _sets(clean)[-2:]
    assert (edit.actor, edit.via) == ("editor", "rest")
    assert edit.token_id and edit.token_id != prune.token_id
    assert (prune.actor, prune.action) == ("admin", "prune")


def test_history_pages_count_against_the_graphql_cost_budget() -> None:
    def cost(query: str) -> int:
        return estimate(schema._schema, parse(query), None, None)

    # A page and, per item, the item and its change set.
    assert cost('{ history(id: "x", limit: 10) { items { op changeSet { seq } } } }') == 21
    assert cost("{ changes(limit: 7) { items { seq elements { created } } } }") == 15
    assert cost("{ changeSet(seq: 1, limit: 4) { changeSet { seq } items { id } } }") == 6


# -- the hash chain --------------------------------------------------------------------------


def _intact(store: GraphStore) -> hq.ChainReport:
    report = hq.verify(store)
    assert report.intact, report.message
    assert report.message.startswith(f"intact, {report.change_sets} change sets")
    return report


def test_the_chain_links_every_change_set_to_the_one_before(clean: GraphStore) -> None:
    assert hq.verify(clean).message == "intact, 0 change sets"
    run_import(clean, BANK)
    edits.update_node(clean, "app-core", {"name": "Core banking (renamed)"})
    clean.delete_node("node-k8s")
    report = _intact(clean)
    sets = _sets(clean)
    assert report.change_sets == len(sets) == 3 and report.unchained == 0
    assert report.changes == 34 + 1 + sum(s.changes for s in sets[2:])
    stored = [r["s"] for r in clean.read(hq.CHAIN, {"upto": sets[-1].seq})]
    assert [s["prev_digest"] for s in stored] == ["", *(s["digest"] for s in stored[:-1])]
    assert report.head == stored[-1]["digest"] and report.head_seq == sets[-1].seq


def test_verify_names_a_change_altered_in_the_database(clean: GraphStore) -> None:
    run_import(clean, BANK)
    edits.update_node(clean, "app-core", {"name": "Core banking (renamed)"})
    [imported, _edited] = _sets(clean)
    # Someone with database access rewrites what app-core was when it was imported.
    clean.execute(
        f"MATCH (c:{CHANGE} {{seq: $seq, id: 'app-core'}}) "
        "SET c.after = replace(c.after, 'Core', 'Fake')",
        {"seq": imported.seq},
    )
    report = hq.verify(clean)
    assert not report.intact and report.broken is not None
    assert (report.broken.seq, report.broken.problem) == (imported.seq, "change")
    assert report.broken.key == "e:app-core"
    assert f"broken at change set {imported.seq} (e:app-core)" in report.message


def test_verify_finds_deleted_and_rewritten_change_sets(clean: GraphStore) -> None:
    for i in range(4):
        edits.create_node(clean, edits.parse_node({"type": "Team", "id": f"t-{i}", "name": "T"}))
    sets = _sets(clean)
    _intact(clean)
    # A change deleted: its set no longer holds what it recorded.
    clean.execute(f"MATCH (c:{CHANGE} {{seq: $seq}}) DELETE c", {"seq": sets[1].seq})
    broken = hq.verify(clean).broken
    assert broken is not None and (broken.seq, broken.problem) == (sets[1].seq, "changes")
    # The whole set deleted: the next one no longer follows the one before it.
    clean.execute(f"MATCH (s:{CHANGE_SET} {{seq: $seq}}) DELETE s", {"seq": sets[1].seq})
    broken = hq.verify(clean).broken
    assert broken is not None and (broken.seq, broken.problem) == (sets[2].seq, "link")
    # The set's own fields rewritten (who made it).
    clean.execute(
        f"MATCH (s:{CHANGE_SET} {{seq: $seq}}) SET s.actor = 'mallory'", {"seq": sets[0].seq}
    )
    broken = hq.verify(clean).broken
    assert broken is not None and (broken.seq, broken.problem) == (sets[0].seq, "fields")


def test_verify_finds_the_last_change_sets_deleted(clean: GraphStore) -> None:
    for i in range(3):
        edits.create_node(clean, edits.parse_node({"type": "Team", "id": f"t-{i}", "name": "T"}))
    sets = _sets(clean)
    clean.execute(
        f"MATCH (n) WHERE (n:{CHANGE} OR n:{CHANGE_SET}) AND n.seq = $seq DETACH DELETE n",
        {"seq": sets[-1].seq},
    )
    broken = hq.verify(clean).broken
    assert broken is not None and (broken.seq, broken.problem) == (sets[-2].seq, "head")


def test_history_written_before_the_chain_is_left_unchained(clean: GraphStore) -> None:
    edits.create_node(clean, edits.parse_node({"type": "Team", "id": "t-old", "name": "Old"}))
    # As a history written before the chain existed: no digests, no head.
    clean.execute(f"MATCH (n) WHERE n:{CHANGE} OR n:{CHANGE_SET} REMOVE n.digest, n.prev_digest")
    clean.execute("MATCH (m:ValuegraphMeta {key: 'revision'}) REMOVE m.history_head")
    assert hq.verify(clean).message == "intact, 0 change sets"
    edits.update_node(clean, "t-old", {"name": "New"})
    report = _intact(clean)
    assert (report.change_sets, report.unchained) == (1, 1)
    assert report.first_seq == _sets(clean)[-1].seq


def test_a_pruned_history_still_verifies(clean: GraphStore) -> None:
    edits.create_node(clean, edits.parse_node({"type": "Team", "id": "t-a", "name": "A1"}))
    edits.update_node(clean, "t-a", {"name": "A2"})
    edits.create_node(clean, edits.parse_node({"type": "Team", "id": "t-b", "name": "B"}))
    clean.delete_node("t-b")
    time.sleep(0.005)
    cut = now_iso()
    time.sleep(0.005)
    edits.update_node(clean, "t-a", {"name": "A3"})
    after_cut = _sets(clean)[-1]
    pruned = hq.prune(clean, cut)
    edits.update_node(clean, "t-a", {"name": "A4"})
    report = _intact(clean)
    # From the cut on: the edit after it, the prune and the edit after that; A2's change
    # (kept: t-a's state at the cut) is covered by the prune's digest of what it kept.
    assert (report.first_seq, report.change_sets) == (after_cut.seq, 3)
    assert report.pruned_before == cut and report.unchained == 1
    assert report.changes == 1 + 1 + 1
    # A kept change altered after the prune is found too.
    clean.execute(
        f"MATCH (c:{CHANGE} {{id: 't-a'}}) WHERE c.seq < $seq SET c.after = '{{}}'",
        {"seq": after_cut.seq},
    )
    broken = hq.verify(clean).broken
    assert broken is not None and (broken.seq, broken.problem) == (pruned.seq, "kept")


def test_concurrent_writers_keep_the_chain_intact(clean: GraphStore) -> None:
    edits.create_node(clean, edits.parse_node({"type": "ValueStream", "id": "vs", "name": "M"}))

    def create(i: int) -> Callable[[], Any]:
        return lambda: edits.create_node(
            clean, edits.parse_node({"type": "Team", "id": f"t-{i}", "name": f"T{i}"})
        )

    work = [create(i) for i in range(6)] + [
        (lambda f=f, v=v: edits.update_node(clean, "vs", {f: v}))  # type: ignore[misc]
        for f, v in FIELDS.items()
    ]
    assert _at_once(work) == [None] * len(work)
    report = _intact(clean)
    assert report.change_sets == len(_sets(clean)) == 1 + len(work)
    assert report.changes == 1 + len(work)  # each change recorded once
    ids = [c.id for s in _sets(clean) for c in _changes(clean, s.seq).values()]
    assert sorted(ids) == sorted(["vs"] * (1 + len(FIELDS)) + [f"t-{i}" for i in range(6)])


def test_cli_and_rest_verify(
    clean: GraphStore, api: TestClient, neo4j_server: dict[str, str | None], monkeypatch: Any
) -> None:
    run_import(clean, BANK)
    monkeypatch.setenv("NEO4J_URI", str(neo4j_server["uri"]))
    if neo4j_server["user"]:
        monkeypatch.setenv("NEO4J_USER", str(neo4j_server["user"]))
        monkeypatch.setenv("NEO4J_PASSWORD", str(neo4j_server["password"]))
    result = CliRunner().invoke(cli, ["history", "verify", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["intact"] and answer["change_sets"] == 1
    assert api.get("/api/history/verify").json() == answer
    clean.execute(f"MATCH (c:{CHANGE} {{id: 'app-core'}}) SET c.type = 'Team'")
    result = CliRunner().invoke(cli, ["history", "verify"])
    assert result.exit_code == 1 and "(e:app-core)" in result.output


def test_a_created_rows_recorded_state_is_what_neo4j_stored(clean: GraphStore) -> None:
    # Created rows' states are taken from the rows written, not read back: they must be
    # exactly what a read of the graph gives (nulls dropped, lists and numbers as stored).
    run_import(clean, BANK)
    created = [
        NodeRecord(label="Team", id="t-e", props={"name": "E", "tags": [], "description": None}),
        NodeRecord(label="Measure", id="m-1", props={"name": "M", "target": 2.5, "current": 3}),
    ]
    clean.write(created, new_nodes={"t-e", "m-1"})
    recorded = {
        r["key"]: json.loads(r["after"])
        for r in clean.read(
            f"MATCH (c:{CHANGE}) WHERE c.op = 'created' RETURN c.key AS key, c.after AS after"
        )
    }
    nodes = clean.read(
        f"MATCH (n:Element) RETURN n.id AS id, {type_of('n')} AS label, properties(n) AS props"
    )
    rels = clean.read(
        "MATCH (a:Element)-[r]->(b:Element) "
        "RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props"
    )
    stored = {f"e:{r['id']}": history._node_state(r["label"], r["props"]) for r in nodes} | {
        f"r:{r['type']}:{r['props']['id']}": history._rel_state(
            r["type"], r["source"], r["target"], r["props"]
        )
        for r in rels
    }
    assert recorded.keys() == stored.keys() and len(recorded) == 15 + 19 + 2
    for key, state in stored.items():
        assert recorded[key] == json.loads(json.dumps(state)), key

"""`valuegraph scenario …`: what-if scenarios, a copy of the model to change, compare with the
base and apply."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.shared import (
    DepthOpt,
    JsonOpt,
    OutputOpt,
    PropagationOpt,
    ReportOpt,
    answer_console,
    ask,
    fail,
    hand_over,
    print_json,
    report_format,
)
from queries import health as hl
from queries import impact as im
from queries import scenarios as sc
from queries.errors import QuestionError
from queries.reports import questions as reports
from queries.scenarios.operations import OPERATION_KINDS

app = typer.Typer(
    help="What-if scenarios: change a copy of the model, compare it with the base, apply it.",
    no_args_is_help=True,
)
ScenarioArg = Annotated[str, typer.Argument(help="The scenario's name.")]
EffectiveDateOpt = Annotated[
    str | None,
    typer.Option(
        "--effective-date",
        "--date",
        help="The day it is due to take effect (YYYY-MM-DD): a step of `valuegraph roadmap`.",
    ),
]


def _operations_table(view: sc.ScenarioView) -> None:
    out = answer_console()
    status = view.status.value + (f" at {view.applied_at}" if view.applied_at else "")
    if view.effective_date:
        status += f", effective {view.effective_date}"
    about = f": {escape(view.description)}" if view.description else ""
    out.print(f"[bold]{escape(view.name)}[/bold] ({status}){about}")
    if not view.operations:
        out.print("no operations yet: add some with `valuegraph scenario add`")
    for o in view.operations:
        out.print(escape(f"  {o.index}. {o.text}"))
    if view.problem:
        out.print(f"[red]{escape(view.problem)}[/red]")


@app.command("create")
def scenario_create(
    name: ScenarioArg,
    description: Annotated[str, typer.Option("--description", "-m", help="What it is for.")] = "",
    effective_date: EffectiveDateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an empty scenario on top of the current model."""
    view = ask(
        sc.create_scenario,
        name=name,
        description=description,
        actor="cli",
        effective_date=effective_date,
    )
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        answer_console().print(f"scenario {escape(view.name)} created")


def _value(text: str) -> Any:
    """An attribute value: JSON when it parses (numbers, booleans), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _pairs(items: list[str] | None, what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QuestionError(f"expected {what} as KEY=VALUE, got {item!r}")
        out[key.strip()] = _value(value)
    return out


def _split_into(items: list[str] | None) -> list[dict[str, Any]]:
    parts = []
    for item in items or []:
        name, sep, stages = item.partition("=")
        if not sep or not name.strip():
            raise QuestionError(f"expected --into 'NAME=STAGE,STAGE', got {item!r}")
        parts.append(
            {"name": name.strip(), "stages": [s.strip() for s in stages.split(",") if s.strip()]}
        )
    return parts


_ARGS: dict[str, tuple[str, ...]] = {
    "add_element": ("type", "name"),
    "remove_element": ("element",),
    "replace_element": ("old", "new"),
    "move_ownership": ("element",),
    "add_relationship": ("type", "source", "target"),
    "remove_relationship": ("type", "source", "target"),
    "split_stream": ("stream",),
}


def operation_from_cli(
    kind: str,
    args: list[str],
    *,
    to_team: str | None = None,
    from_team: str | None = None,
    into: list[str] | None = None,
    attr: list[str] | None = None,
    new_id: str | None = None,
) -> dict[str, Any]:
    """The operation `valuegraph scenario add` describes, as JSON-like data."""
    if kind.lstrip().startswith("{"):
        data: dict[str, Any] = json.loads(kind)
        return data
    op = kind.strip().lower().replace("-", "_")
    if op not in _ARGS:
        raise QuestionError(f"unknown operation {kind!r}; known: {', '.join(OPERATION_KINDS)}")
    names = _ARGS[op]
    if len(args) != len(names):
        wanted = " ".join(n.upper() for n in names)
        raise QuestionError(f"{op} takes {wanted}; got {len(args)} argument(s)")
    data = {"op": op, **dict(zip(names, args, strict=True))}
    if op == "move_ownership":
        if not to_team:
            raise QuestionError("move_ownership needs --to TEAM")
        data["to_team"] = to_team
        if from_team:
            data["from_team"] = from_team
    if op == "split_stream":
        data["into"] = _split_into(into)
    if op in ("add_element", "add_relationship") and attr:
        data["attributes"] = _pairs(attr, "--attr")
    if op == "add_element" and new_id:
        data["id"] = new_id
    return data


@app.command("add")
def scenario_add(
    name: ScenarioArg,
    operation: Annotated[
        str,
        typer.Argument(
            help="add-element TYPE NAME | remove-element ELEMENT | replace-element OLD NEW | "
            "move-ownership ELEMENT --to TEAM [--from TEAM] | add-relationship TYPE SOURCE "
            "TARGET | remove-relationship TYPE SOURCE TARGET | split-stream STREAM --into "
            "'NAME=STAGE,STAGE' --into ... | or the operation as a JSON object."
        ),
    ],
    args: Annotated[
        list[str] | None, typer.Argument(help="The operation's elements (ids or names).")
    ] = None,
    to_team: Annotated[str | None, typer.Option("--to", help="move-ownership: new team.")] = None,
    from_team: Annotated[
        str | None, typer.Option("--from", help="move-ownership: the team giving it up.")
    ] = None,
    into: Annotated[
        list[str] | None,
        typer.Option("--into", help="split-stream: 'NAME=STAGE,STAGE' per new stream."),
    ] = None,
    attr: Annotated[
        list[str] | None,
        typer.Option("--attr", "-a", help="add-element / add-relationship: KEY=VALUE."),
    ] = None,
    new_id: Annotated[str | None, typer.Option("--id", help="add-element: its id.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an operation to a scenario (checked against the model; nothing is written to it)."""
    try:
        data = operation_from_cli(
            operation,
            args or [],
            to_team=to_team,
            from_team=from_team,
            into=into,
            attr=attr,
            new_id=new_id,
        )
    except (QuestionError, ValueError) as exc:
        fail(str(exc), code=2)
    view = ask(sc.add_operation, name, data, actor="cli")
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        answer_console().print(escape(f"added: {view.operations[-1].text}"))


@app.command("update")
def scenario_update(
    name: ScenarioArg,
    description: Annotated[
        str | None, typer.Option("--description", "-m", help="What it is for.")
    ] = None,
    effective_date: EffectiveDateOpt = None,
    no_date: Annotated[
        bool, typer.Option("--no-date", help="Remove its effective date (off the roadmap).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Change a scenario's description or effective date."""
    view = ask(
        sc.update_scenario,
        name,
        description=description,
        effective_date=effective_date,
        clear_effective_date=no_date,
    )
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        when = f"effective {view.effective_date}" if view.effective_date else "undated"
        answer_console().print(f"scenario {escape(view.name)} updated ({when})")


@app.command("show")
def scenario_show(name: ScenarioArg, as_json: JsonOpt = False) -> None:
    """A scenario and its operations."""
    view = ask(sc.get_scenario, name)
    if as_json:
        print_json(view.model_dump(mode="json"))
    else:
        _operations_table(view)


@app.command("list")
def scenario_list(as_json: JsonOpt = False) -> None:
    """All scenarios, oldest first."""
    found = ask(sc.list_scenarios)
    if as_json:
        print_json([s.model_dump(mode="json") for s in found])
        return
    table = Table("name", "status", "operations", "effective", "created", "description")
    for s in found:
        table.add_row(
            escape(s.name),
            s.status.value,
            str(s.operation_count),
            s.effective_date or "",
            s.created_at,
            escape(s.description),
        )
    answer_console().print(table)


def _delta(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:+g}" if value else "0"


def _score(value: float | None) -> str:
    """A health score, or n/a where nothing was checked."""
    return "n/a" if value is None else f"{value:g}"


@app.command("compare")
def scenario_compare(
    name: ScenarioArg,
    element: Annotated[
        str | None, typer.Option("--element", "-e", help="Compare the impact of this element.")
    ] = None,
    depth: DepthOpt = im.DEFAULT_MAX_DEPTH,
    limit: Annotated[int, typer.Option(min=1, help="Bottleneck rows ranked within this.")] = 20,
    max_streams_per_team: Annotated[
        int, typer.Option(min=1, help="Health: teams serving more streams are overloaded.")
    ] = hl.DEFAULT_MAX_STREAMS_PER_TEAM,
    propagation: PropagationOpt = None,
    as_json: JsonOpt = False,
    report: ReportOpt = None,
    output: OutputOpt = None,
) -> None:
    """Impact, bottlenecks and health: base model and scenario side by side."""
    if fmt := report_format(report, output, as_json):
        made = ask(
            reports.comparison_report,
            name,
            fmt,
            element=element,
            max_depth=depth,
            limit=limit,
            max_streams_per_team=max_streams_per_team,
            overrides=propagation,
        )
        hand_over(made, output)
        return
    result = ask(
        sc.compare_scenario,
        name,
        element=element,
        max_depth=depth,
        limit=limit,
        max_streams_per_team=max_streams_per_team,
        overrides=propagation,
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    _operations_table(result.scenario)
    losses = result.losses
    if losses.needs:
        out.print(
            f"\n[bold red]Losses[/bold red]: {len(losses.streams)} value stream(s) lose "
            "something they need: " + escape(", ".join(s.name for s in losses.streams))
        )
        if losses.capabilities:
            out.print(
                "Capabilities left without a working platform: "
                + escape(", ".join(c.name for c in losses.capabilities))
            )
        table = Table("element", "lost", "needed", "streams")
        for n in losses.needs:
            table.add_row(
                escape(n.element.name),
                n.relationship + (" (removed)" if n.removed else ""),
                escape(n.needed.name),
                str(len(n.streams)),
            )
        out.print(table)
    h = result.health
    out.print(
        f"\n[bold]Health[/bold]: {_score(h.base_score)} -> {_score(h.scenario_score)} "
        f"({_delta(h.score_delta)})"
    )
    table = Table("check", "base", "scenario", "change", "resolved", "introduced")
    for c in h.checks:
        table.add_row(
            escape(c.title),
            _score(c.base_score),
            _score(c.scenario_score),
            _delta(c.score_delta),
            escape(", ".join(r.name for r in c.resolved)),
            escape(", ".join(r.name for r in c.introduced)),
        )
    out.print(table)
    b = result.ranked()
    out.print(
        f"[bold]Bottlenecks[/bold] ({b.base_stream_total} -> {b.scenario_stream_total} streams)"
    )
    table = Table("element", "rank", "score", "streams", "change")
    for r in b.rows:
        table.add_row(
            escape(r.element.name),
            f"{r.base_rank or '-'} -> {r.scenario_rank or '-'}",
            f"{r.base_score if r.base_score is not None else '-'} -> "
            f"{r.scenario_score if r.scenario_score is not None else '-'}",
            f"{r.base_stream_count if r.base_stream_count is not None else '-'} -> "
            f"{r.scenario_stream_count if r.scenario_stream_count is not None else '-'}",
            r.change.value,
        )
    out.print(table)
    if result.impact is not None:
        i = result.impact
        out.print(
            f"[bold]Impact of {escape(str(i.element))}[/bold]: {i.base_stream_count} -> "
            f"{i.scenario_stream_count} value stream(s)"
            + ("" if i.in_scenario else " (not in the scenario)")
            + ("" if i.in_base else " (not in the base)")
        )
        table = Table("value stream", "base", "scenario", "change", "why (scenario)")
        for d in i.streams:
            table.add_row(
                escape(d.element.name),
                str(d.base_distance if d.base_distance is not None else "-"),
                str(d.scenario_distance if d.scenario_distance is not None else "-"),
                d.change.value,
                escape(d.scenario_path or d.base_path),
            )
        out.print(table)


@app.command("discard")
def scenario_discard(name: ScenarioArg, as_json: JsonOpt = False) -> None:
    """Delete a scenario; the base model is not touched."""
    ask(sc.discard_scenario, name)
    if as_json:
        print_json({"discarded": name})
    else:
        answer_console().print(f"scenario {escape(name)} discarded")


@app.command("apply")
def scenario_apply(
    name: ScenarioArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Apply a scenario to the base model, in one transaction."""
    if not yes and not typer.confirm(f"apply scenario {name!r} to the base model?"):
        raise typer.Exit(1)
    result = ask(sc.apply_scenario, name, actor="cli")
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    out = answer_console()
    out.print(f"scenario {escape(result.scenario.name)} applied")
    for title, refs in (
        ("added", result.elements_added),
        ("removed", result.elements_removed),
        ("changed", result.elements_changed),
    ):
        if refs:
            out.print(escape(f"  elements {title}: " + ", ".join(str(r) for r in refs)))
    for title, rels in (
        ("added", result.relationships_added),
        ("removed", result.relationships_removed),
    ):
        for rel in rels:
            out.print(escape(f"  relationship {title}: {rel.text}"))

"""`valuegraph token create|list|revoke`: API tokens (bearer tokens with roles)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.cli.shared import JsonOpt, console, fail, open_store, print_json
from app.settings import Settings
from graph.store import NotFoundError
from graph.tokens import Role, create_token, list_tokens, revoke_token

app = typer.Typer(help="Create, list and revoke API tokens (bearer tokens with roles).")


@app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="Who or what the token is for.")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "viewer",
    as_json: JsonOpt = False,
) -> None:
    """Create a token and print its secret (shown once; only a digest is stored)."""
    try:
        parsed = Role.parse(role)
    except ValueError as exc:
        fail(str(exc), code=2)
    with open_store(Settings()) as store:
        token_id, secret = create_token(store, name=name, role=parsed)
    if as_json:
        print_json({"id": token_id, "name": name, "role": parsed.label, "token": secret})
    else:
        console.print(f"token {token_id} ({parsed.label}) for {name}; keep it secret:")
        sys.stdout.write(secret + "\n")


@app.command("list")
def token_list(as_json: JsonOpt = False) -> None:
    """List tokens (ids, names, roles, dates; never secrets)."""
    with open_store(Settings()) as store:
        rows = list_tokens(store)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name", "role", "created", "revoked")
    for r in rows:
        table.add_row(r["id"], r["name"], r["role"], r["created_at"], r["revoked_at"] or "")
    Console().print(table)


@app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="Token id.")]) -> None:
    """Revoke a token: it stops working at once."""
    with open_store(Settings()) as store:
        try:
            revoke_token(store, token_id)
        except NotFoundError as exc:
            fail(str(exc))
    console.print(f"token {token_id} revoked")

"""Configuration, read once from the environment (see the README's Configuration table)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VALUEGRAPH_", extra="ignore")

    neo4j_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_URI", "VALUEGRAPH_NEO4J_URI"),
        description="Bolt URI of an existing Neo4j; unset means start the local one.",
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "VALUEGRAPH_NEO4J_USER")
    )
    neo4j_password: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_PASSWORD", "VALUEGRAPH_NEO4J_PASSWORD"),
    )
    neo4j_database: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_DATABASE", "VALUEGRAPH_NEO4J_DATABASE"),
    )
    home: Path = Field(default=Path(".valuegraph"), description="Project-local state folder.")
    env: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    local_neo4j_port: int = 7687
    local_neo4j_heap: str = "1g"
    local_neo4j_pagecache: str = "512m"
    # Memory of all open transactions together: one import is one transaction, and a
    # model of 100,000 elements needs 2-3 GiB of it. None keeps the launcher's default.
    local_neo4j_txmax: str | None = None
    max_page_size: int = Field(default=500, ge=1)
    auth: Literal["on", "off"] = Field(
        default="on",
        description="Bearer-token authentication; `off` is refused unless bound to loopback.",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS; empty means closed."
    )
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    query_timeout_s: float = Field(default=30.0, gt=0)
    graphql_cost_budget: int = Field(
        default=100_000,
        ge=1,
        description="Most objects a GraphQL query may ask for, estimated before it runs.",
    )
    graphql_gated_cost: int = Field(
        default=5_000,
        ge=0,
        description="GraphQL queries estimated above this many objects wait for a question "
        "slot like the expensive questions (503 when none comes).",
    )
    graphql_max_items: int = Field(
        default=20_000, ge=1, description="Most items one GraphQL request may return."
    )
    question_time_limit_s: float = Field(
        default=30.0,
        gt=0,
        description="Wall-clock limit of one question, analytics in Python included (504).",
    )
    question_slots: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) - 1),
        ge=1,
        description="Expensive questions answered at once; the rest wait or are refused.",
    )
    question_queue: int = Field(
        default=8, ge=0, description="Expensive questions that may wait for a slot (then 503)."
    )
    question_wait_s: float = Field(
        default=5.0, ge=0, description="How long a question waits for a slot before a 503."
    )
    impact_index: Literal["on", "off"] = Field(
        default="on",
        description="Walk impact questions on an in-memory index of the model (queries.live).",
    )

    @property
    def local_neo4j_home(self) -> Path:
        return self.home / "neo4j"

    @property
    def graphiql(self) -> bool:
        return self.env == "development"

    @property
    def auth_enabled(self) -> bool:
        return self.auth == "on"

    def check_exposure(self, host: str) -> None:
        """Refuse to serve without authentication anywhere but loopback."""
        if not self.auth_enabled and not is_loopback(host):
            raise ValueError(
                f"VALUEGRAPH_AUTH=off is only allowed on a loopback address, not {host!r}; "
                "create a token with `valuegraph token create` and keep auth on"
            )


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

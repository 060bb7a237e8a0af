"""Configuration, read once from the environment (see the README's Configuration table)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Asymmetric signatures only: verified with the issuer's published public keys.
OIDC_ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip


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
    env: Literal["development", "production"] = Field(
        default="development",
        description="`production` turns the interactive docs and GraphQL introspection off.",
    )
    docs: Literal["on", "off"] | None = Field(
        default=None,
        description="/docs, /redoc, /openapi.json and GraphiQL; unset: on unless production.",
    )
    introspection: Literal["on", "off"] | None = Field(
        default=None, description="GraphQL introspection; unset: on unless production."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    local_neo4j_port: int = 7687
    local_neo4j_heap: str = "1g"
    local_neo4j_pagecache: str = "512m"
    # Memory of all open transactions together: one import is one transaction, and a
    # model of 100,000 elements with its history needs ~6 GiB. None: 70 % of the heap, at
    # least 1g (`graph.local_neo4j.default_txmax`).
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
    warm_answers: bool = Field(
        default=True,
        description="Compute the health report and bottleneck ranking in the background after "
        "start-up and after changes (app.core.warm); `0` computes them when first asked.",
    )
    analysis_workers: bool = Field(
        default=False,
        description="`1`: answer health, bottlenecks, scenarios and questions of another moment "
        "in worker processes, one per question slot (app.core.analyses): a lower tail for "
        "health checks and reads under load, for more memory (each worker holds the model); "
        "`0`: in the service.",
    )
    analysis_worker_max_mib: float = Field(
        default=1024.0,
        gt=0,
        description="A worker grown past this many MiB after a question is replaced.",
    )
    # Organisations' sign-in (app.oidc): bearer JWTs from one OIDC issuer, beside API tokens.
    oidc_issuer: str | None = Field(
        default=None, description="The issuer (`iss`) whose tokens are accepted; unset: none."
    )
    oidc_audience: str | None = Field(
        default=None, description="The audience (`aud`) tokens must name; needed with an issuer."
    )
    oidc_jwks_url: str | None = Field(
        default=None,
        description="Where the issuer's keys are; unset: from its openid-configuration.",
    )
    oidc_roles_claim: str = Field(
        default="roles",
        description="Claim holding the caller's roles or groups; dots walk into objects.",
    )
    oidc_role_map: dict[str, Literal["viewer", "editor", "admin"]] = Field(
        default_factory=lambda: {r: r for r in ("viewer", "editor", "admin")},
        description="JSON object: claim value -> role; the highest role matched wins.",
    )
    oidc_username_claim: str = Field(
        default="preferred_username", description="Claim naming the caller (else `sub`)."
    )
    oidc_algorithms: list[str] = Field(
        default_factory=lambda: list(OIDC_ALGORITHMS),
        description="Signature algorithms accepted (asymmetric ones only).",
    )
    oidc_leeway_s: float = Field(default=30.0, ge=0, le=300)
    oidc_jwks_lifetime_s: float = Field(
        default=600.0, gt=0, description="How long fetched keys are used before a re-fetch."
    )
    oidc_refetch_interval_s: float = Field(
        default=30.0,
        ge=0,
        description="Least time between fetches for an unknown key id or after a failure.",
    )
    oidc_fetch_timeout_s: float = Field(default=5.0, gt=0, le=60)

    @field_validator("oidc_algorithms")
    @classmethod
    def _asymmetric_only(cls, algorithms: list[str]) -> list[str]:
        # `none` forges anything, and an HS* key would be the issuer's *public* key.
        refused = [a for a in algorithms if a not in OIDC_ALGORITHMS]
        if refused or not algorithms:
            raise ValueError(
                f"VALUEGRAPH_OIDC_ALGORITHMS may list only {', '.join(OIDC_ALGORITHMS)}; "
                f"not {refused}"
            )
        return algorithms

    @model_validator(mode="after")
    def _issuer_needs_audience(self) -> Self:
        if self.oidc_issuer and not self.oidc_audience:
            raise ValueError(
                "VALUEGRAPH_OIDC_ISSUER needs VALUEGRAPH_OIDC_AUDIENCE (the client id or API "
                "identifier the issuer puts in `aud`): a token meant for another application "
                "must not be accepted here"
            )
        return self

    @property
    def local_neo4j_home(self) -> Path:
        return self.home / "neo4j"

    @property
    def docs_enabled(self) -> bool:
        """The interactive docs (/docs, /redoc, /openapi.json, GraphiQL)."""
        return self.docs == "on" if self.docs else self.env != "production"

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection == "on" if self.introspection else self.env != "production"

    @property
    def graphiql(self) -> bool:
        return self.docs_enabled

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

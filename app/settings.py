"""Configuration, read once from the environment (see the README's Configuration table)."""

from __future__ import annotations

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
    max_page_size: int = Field(default=500, ge=1)

    @property
    def local_neo4j_home(self) -> Path:
        return self.home / "neo4j"

    @property
    def graphiql(self) -> bool:
        return self.env == "development"

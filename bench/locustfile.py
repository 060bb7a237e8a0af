"""The load test's users: impact (GraphQL), search and element reads (REST), closed loop.

Run by `bench.workloads.run_locust` with `VG_BENCH_LOAD_DATA` naming a JSON file of
element ids, impact targets and search terms. Only ever pointed at 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, constant, task

from bench.mix import IMPACT_QUERY, MIX

_DATA: dict[str, Any] = json.loads(Path(os.environ["VG_BENCH_LOAD_DATA"]).read_text())


class ApiUser(HttpUser):
    wait_time = constant(0)

    @task(MIX["impact"])
    def impact(self) -> None:
        element = random.choice(_DATA["impact"])
        with self.client.post(
            "/graphql",
            json={"query": IMPACT_QUERY, "variables": {"element": element}},
            name="graphql impact",
            catch_response=True,
        ) as resp:
            if resp.status_code != 200 or resp.json().get("errors"):
                resp.failure(f"{resp.status_code}: {resp.text[:200]}")

    @task(MIX["search"])
    def search(self) -> None:
        term = random.choice(_DATA["terms"])
        self.client.get("/api/search", params={"q": term}, name="GET /api/search")

    @task(MIX["node"])
    def node(self) -> None:
        node_id = random.choice(_DATA["ids"])
        self.client.get(f"/api/nodes/{node_id}", name="GET /api/nodes/{id}")

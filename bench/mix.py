"""What the load test and the impact workload ask: shared by locust and the harness.

Kept free of heavy imports: locust loads it under gevent's monkey patching.
"""

from __future__ import annotations

IMPACT_QUERY = """
query Impact($element: String!) {
  impact(element: $element) {
    element { id name }
    counts { affected }
    streams { element { id name } distance pathText }
    capabilities { element { id } distance }
    platforms { element { id } distance }
    dataAssets { element { id } distance }
    other { element { id } distance }
    teamsToNotify { element { id name } reason }
    peopleToNotify { element { id name } reason }
  }
}
"""

SEARCH_TERMS = ("pay", "customer", "ledger", "gateway", "risk", "cards", "data", "team", "order")

# The load test's request mix (weights), the same for locust and the bare baseline.
MIX = {"impact": 2, "search": 3, "node": 5}

"""Run inside the marketplace (cwd=marketplace, DJANGO_SETTINGS_MODULE=bench.catalogue_settings):
request each catalogue page through Django's test client, capture the SQL the view runs and
EXPLAIN ANALYZE every query that reads offers.

Reads a JSON object {name: path} as the first argument; prints JSON {name: report}.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def _walk(node: dict[str, Any], depth: int, lines: list[str], indexes: list[str]) -> None:
    name = node["Node Type"]
    if "Index Name" in node:
        indexes.append(node["Index Name"])
        name += f" using {node['Index Name']}"
    elif "Relation Name" in node:
        name += f" on {node['Relation Name']}"
    detail = f"rows={node.get('Actual Rows')} loops={node.get('Actual Loops')}"
    removed = node.get("Rows Removed by Filter") or node.get("Rows Removed by Index Recheck")
    if removed:
        detail += f" removed={removed}"
    lines.append(f"{'  ' * depth}{name} ({detail}, {node.get('Actual Total Time')} ms)")
    for child in node.get("Plans", []):
        _walk(child, depth + 1, lines, indexes)


def _explain(sql: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()[0]
    lines: list[str] = []
    indexes: list[str] = []
    _walk(plan["Plan"], 0, lines, indexes)
    return {
        "sql": sql,
        "execution_ms": plan["Execution Time"],
        "planning_ms": plan["Planning Time"],
        "jit": "JIT" in plan,
        "indexes": indexes,
        "seq_scan_on_offers": any("Seq Scan on offers_offer" in line for line in lines),
        "plan": lines,
    }


def report(client: Client, path: str) -> dict[str, Any]:
    client.get(path)  # warm the caches and the worker
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries = [query["sql"] for query in captured.captured_queries]
    return {
        "status": response.status_code,
        "queries": len(queries),
        "counts": [sql for sql in queries if "COUNT(" in sql.upper()],
        "offers": [_explain(sql) for sql in queries if '"offers_offer"' in sql],
    }


def main(paths: dict[str, str]) -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    print(json.dumps({name: report(client, path) for name, path in paths.items()}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

"""Property-based fuzzing of the CRM's GraphQL endpoint over HTTP.

Runs in its own virtualenv (``.venv-fuzz``: hypothesis-graphql needs
graphql-core 3, the CRM runs on graphene 2). Operations — queries and
mutations, valid ones and ones with one schema violation — are generated from
the exported SDL (``graphql/schema.graphql``) and sent as each role given on
the command line. The property: every answer is JSON, never HTTP 500, and no
error carries the code ``internal_error``.

    python tests/fuzz/graphql_fuzz.py URL graphql/schema.graphql \\
        --role anonymous= --role shopper=TOKEN --role staff=TOKEN --examples 150

Prints one line per role and exits non-zero with the smallest failing
operation when the property does not hold.
"""

import argparse
import collections
import json
import re
import sys
import time
import urllib.error
import urllib.request

import graphql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

FEDERATION_DIRECTIVES = """
directive @key(fields: String!) repeatable on OBJECT | INTERFACE
directive @external on FIELD_DEFINITION
"""
NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


def load_schema(path: str) -> graphql.GraphQLSchema:
    """The subgraph SDL as a schema graphql-core 3 builds: entities Saleor owns become plain types."""
    with open(path, encoding="utf-8") as handle:
        sdl = handle.read()
    sdl = re.sub(r"^extend type ", "type ", sdl, flags=re.MULTILINE)
    return graphql.build_schema(FEDERATION_DIRECTIVES + sdl)


def value_node(value) -> graphql.ValueNode:
    """A GraphQL literal for a JSON-like Python value."""
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if isinstance(value, float):
        return graphql.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return graphql.StringValueNode(value=value)
    if isinstance(value, list):
        return graphql.ListValueNode(values=tuple(value_node(v) for v in value))
    return graphql.ObjectValueNode(fields=tuple(
        graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=value_node(v)) for k, v in value.items()))


def json_values(max_leaves: int = 12):
    leaves = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False,
                                                                                allow_infinity=False) | st.text()
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.from_regex(NAME, fullmatch=True), inner, max_size=4), max_leaves=max_leaves)


def custom_scalars() -> dict:
    """Strategies for the schema's own scalars, mixing plausible and hostile values."""
    text = st.text(max_size=40)
    as_string = lambda strategy: strategy.map(lambda v: graphql.StringValueNode(value=v))  # noqa: E731
    json_text = json_values().map(json.dumps) | text
    moments = st.datetimes().map(lambda d: d.isoformat() + "+00:00") | text
    representation = st.fixed_dictionaries(
        {"__typename": st.sampled_from(["User", "Product", "Order", ""])},
        optional={"id": st.text(max_size=30) | st.sampled_from(["VXNlcjox", "UHJvZHVjdDox"]),
                  "channel": st.sampled_from(["web", "outlet", ""]) | text,
                  "email": text})
    return {
        "JSONString": as_string(json_text),
        "DateTime": as_string(moments),
        "Date": as_string(st.dates().map(str) | text),
        "UUID": as_string(st.uuids().map(str) | text),
        "_Any": (representation | json_values(4)).map(value_node),
    }


def post(url: str, token: str, query: str) -> tuple[int, dict | None, bytes]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps({"query": query}).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw), raw
    except ValueError:
        return status, None, raw


def fuzz_role(url: str, schema, role: str, token: str, examples: int) -> collections.Counter:
    """Send ``examples`` generated operations as one role; raise AssertionError on a failure."""
    seen = collections.Counter()
    scalars = custom_scalars()
    operations = (from_schema(schema, custom_scalars=scalars, mode=Mode.POSITIVE)
                  | from_schema(schema, custom_scalars=scalars, mode=Mode.NEGATIVE))

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None, print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(query=operations)
    def check(query):
        status, body, raw = post(url, token, query)
        assert status != 500, f"HTTP 500 for:\n{query}\n{raw[:500]!r}"
        assert body is not None, f"not JSON (HTTP {status}) for:\n{query}\n{raw[:500]!r}"
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        assert "internal_error" not in codes, f"internal_error for:\n{query}\n{json.dumps(body)[:800]}"
        seen[status] += 1
        seen.update(f"code:{c}" for c in codes)

    check()
    return seen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("schema")
    parser.add_argument("--role", action="append", default=[], help="NAME=TOKEN (empty token: anonymous)")
    parser.add_argument("--examples", type=int, default=100)
    args = parser.parse_args(argv)
    schema = load_schema(args.schema)
    failed = False
    for spec in args.role:
        role, _, token = spec.partition("=")
        started = time.monotonic()
        try:
            seen = fuzz_role(args.url, schema, role, token, args.examples)
        except AssertionError as error:
            print(f"{role}: FAILED\n{error}", flush=True)
            failed = True
            continue
        statuses = {k: v for k, v in seen.items() if isinstance(k, int)}
        codes = collections.Counter({k[5:]: v for k, v in seen.items() if isinstance(k, str)})
        print(f"{role}: {sum(statuses.values())} operations in {time.monotonic() - started:.1f} s, "
              f"0 internal errors, 0 HTTP 500; statuses {dict(sorted(statuses.items()))}; "
              f"codes {dict(codes.most_common(8))}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

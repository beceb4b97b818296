"""Attacks on the endpoint over real HTTP to a live server: each refused with a code, fast; the server lives on."""

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from saleor_crm_plugin.graphql.limits import MAX_FIELDS
from tests.graphql.conftest import gid

ROOT = Path(__file__).resolve().parents[2]
HEALTHY = "query { _service { sdl } }"
# Refused before anything executes: these payloads take minutes when run, a refusal milliseconds. A second
# leaves room for a loaded machine; the speed itself is the benchmarks' (bench/graphql_cost.py).
REFUSAL_SECONDS = 1.0
TRACEBACK_MARKS = ("Traceback", 'File "', "line ", "django", "/work/", "site-packages")

FRAGMENT_FAN_OUT = (
    'query { recommendations(channel: "web", kind: SIMILAR, product: "UHJvZHVjdDox") { ...F0 } }\n'
    + "".join(f"fragment F{i} on Recommendation {{ productId ...F{i + 1} ...F{i + 1} }}\n" for i in range(24))
    + "fragment F24 on Recommendation { productId score }\n"
)
LIST_AMPLIFICATION = (
    'query { recommendations(channel: "web", kind: ALSO_BOUGHT, product: "UHJvZHVjdDox") { product { '
    "alsoBought(first: 100) { product { alsoBought(first: 100) { product { alsoBought(first: 100) { "
    "productId } } } } } } } }"
)
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { alsoBought { productId } } } }"
DEEP_SELECTIONS = "query { " + "a { " * 300 + "b" + " }" * 300 + " }"  # 300 levels, ~1.8 KB
DEEP_LIST_VALUE = 'query { recommendations(channel: "web", kind: SIMILAR, product: ' + "[" * 300 + "]" * 300 \
    + ") { productId } }"
HUGE_DOCUMENT = "query { " + " ".join(f"f{i}: __typename" for i in range(20_000)) + " }"  # ~300 KB


def aliased_staff_fields(count: int) -> str:
    return "query { " + " ".join(f'a{i}: crmCustomer(email: "a@b.c") {{ email }}' for i in range(count)) + " }"


def assert_refused_fast_and_alive(live_gql, sent, code):
    """The refusal has ``code``, came before anything ran (< REFUSAL_SECONDS), shows no traceback; a normal request succeeds right after."""
    status, text, seconds = sent
    body = json.loads(text)
    assert code in [error["extensions"]["code"] for error in body["errors"]], text[:500]
    assert seconds < REFUSAL_SECONDS, f"refused in {seconds * 1000:.0f} ms"
    assert status in (200, 400) and not any(mark in text for mark in TRACEBACK_MARKS), text[:500]
    after_status, after_text, _ = live_gql(HEALTHY)
    assert after_status == 200 and "extend type Product" in json.loads(after_text)["data"]["_service"]["sdl"]
    return body


@pytest.fixture
def warm(live_gql):
    # the first request of a live server pays for imports and connections, not for the query
    assert live_gql(HEALTHY)[0] == 200


def test_fragment_fan_out_is_measured_in_linear_time_and_refused(live_gql, warm):
    # when: 25 fragments, each spreading the next twice (2^25 fields once expanded)
    sent = live_gql(FRAGMENT_FAN_OUT)
    # then
    body = assert_refused_fast_and_alive(live_gql, sent, "query_too_complex")
    extensions = body["errors"][0]["extensions"]
    assert extensions["cost"] > 2**25 and extensions["maxCost"] == 2_000


def test_list_amplification_multiplies_by_first_and_is_refused(live_gql, warm):
    sent = live_gql(LIST_AMPLIFICATION)
    body = assert_refused_fast_and_alive(live_gql, sent, "query_too_complex")
    assert body["errors"][0]["extensions"]["cost"] > 100**3


def test_a_shopper_has_a_larger_budget_than_an_anonymous_caller_but_still_one(live_gql, warm):
    # given: 100 × 10 products is too much for an anonymous caller, fine for a shopper
    query = ('query { recommendations(channel: "web", kind: ALSO_BOUGHT, product: "UHJvZHVjdDox", first: 100) '
             "{ product { alsoBought(first: 10) { productId score } } } }")
    from tests.graphql.conftest import token

    # when
    anonymous = json.loads(live_gql(query)[1])
    shopper = json.loads(live_gql(query, bearer=token(user_id=100))[1])
    # then
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["query_too_complex"]
    assert "query_too_complex" not in [e["extensions"]["code"] for e in shopper.get("errors", [])]


def test_an_entities_flood_is_refused_before_it_runs(live_gql, warm):
    # when: 5,000 representations from an anonymous caller
    representations = [{"__typename": "Product", "id": gid("Product", i), "channel": "web"} for i in range(5000)]
    sent = live_gql(ENTITIES, {"r": representations})
    # then
    body = assert_refused_fast_and_alive(live_gql, sent, "out_of_range")
    assert body["errors"][0]["extensions"]["field"] == "representations"


@pytest.mark.parametrize("query", [DEEP_SELECTIONS, DEEP_LIST_VALUE], ids=["selections", "list-value"])
def test_deep_nesting_is_refused_before_the_parser_recurses(live_gql, warm, query):
    sent = live_gql(query)
    body = assert_refused_fast_and_alive(live_gql, sent, "query_too_complex")
    assert sent[0] == 400 and body["data"] is None


def test_a_huge_document_is_refused_by_its_size(live_gql, warm):
    sent = live_gql(HUGE_DOCUMENT)
    assert_refused_fast_and_alive(live_gql, sent, "query_too_complex")
    # and a body over the request limit too
    oversized = live_gql(None, body=json.dumps({"query": "{ __typename }", "pad": "x" * 2_000_000}))
    assert_refused_fast_and_alive(live_gql, oversized, "query_too_complex")


def test_an_aliased_error_flood_is_refused_with_one_log_line(live_gql, warm, caplog):
    # given
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    # when: an anonymous caller asks for a staff field 250 times
    sent = live_gql(aliased_staff_fields(250))
    # then
    assert_refused_fast_and_alive(live_gql, sent, "query_too_complex")
    assert_logged_at_most_once(caplog)


def test_every_aliased_staff_field_gets_its_code_and_the_request_one_log_line(live_gql, warm, caplog):
    # given
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    # when: as many aliased staff fields as a query may select, all refused while executing
    status, text, _ = live_gql(aliased_staff_fields(MAX_FIELDS // 2))
    # then
    body = json.loads(text)
    assert status == 200 and len(body["errors"]) == MAX_FIELDS // 2
    assert {error["extensions"]["code"] for error in body["errors"]} == {"unauthenticated"}
    assert not any(mark in text for mark in TRACEBACK_MARKS)
    assert_logged_at_most_once(caplog)


def assert_logged_at_most_once(caplog):
    # what the server logged (its threads), not the HTTP client in this thread, nor the access log
    logged = [record for record in caplog.records
              if record.thread != threading.get_ident() and record.name != "django.server"]
    assert len(logged) <= 1, [record.getMessage()[:200] for record in logged]
    assert all(record.exc_info is None and "\n" not in record.getMessage() for record in logged)


def test_an_unexpected_fault_is_internal_error_in_json_never_a_debug_page(live_gql, warm, monkeypatch):
    # given: the schema itself fails, as a RecursionError deep in graphql-core would
    from saleor_crm_plugin.graphql import federation, view

    def exhausted(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(federation, "subgraph_sdl", exhausted)
    in_resolver = live_gql(HEALTHY)
    monkeypatch.setattr(view.schema, "execute", exhausted)
    outside = live_gql("query { __typename }")
    monkeypatch.undo()
    # then
    for status, text, _ in (in_resolver, outside):
        body = json.loads(text)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["internal_error"]
        assert not any(mark in text for mark in TRACEBACK_MARKS) and "recursion" not in text
    assert in_resolver[0] == 200 and outside[0] == 500
    assert live_gql(HEALTHY)[0] == 200


def test_the_standalone_host_is_not_in_debug_mode_unless_asked():
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    show = "import crm_host.settings as s; print(s.DEBUG)"
    default = subprocess.run([sys.executable, "-c", show], env=env, cwd=ROOT, capture_output=True, text=True)
    asked = subprocess.run([sys.executable, "-c", show], env={**env, "DEBUG": "1"}, cwd=ROOT, capture_output=True,
                           text=True)
    assert default.stdout.strip() == "False" and asked.stdout.strip() == "True"

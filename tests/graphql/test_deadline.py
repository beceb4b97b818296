"""A staff query's database time is bounded: statements past the deadline are cancelled or never sent, and the
fields they served answer query_too_complex — never internal_error, never a worker held for longer."""

import time

import pytest
from django.db import connection

from saleor_crm_plugin.graphql import deadline
from tests.graphql.conftest import error_codes, operation, staff_token, token

pytestmark = pytest.mark.django_db

CUSTOMERS_PAGE = operation("staff/customers-page")


def slow_database(seconds: float):
    """An execute wrapper making PostgreSQL itself take ``seconds`` before every statement (pg_sleep)."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")):  # not SET, SAVEPOINT…
            execute(f"SELECT pg_sleep({seconds})", None, False, context)
        return execute(sql, params, many, context)

    return wrapper


def timed(gql, seconds_per_statement: float):
    with connection.execute_wrapper(slow_database(seconds_per_statement)):
        started = time.monotonic()
        status, body = gql(CUSTOMERS_PAGE, {"first": 10, "channel": "web"}, bearer=staff_token())
        return status, body, time.monotonic() - started


def test_a_staff_query_past_its_deadline_is_stopped_with_a_code(gql, record_shop, monkeypatch):
    # given: a database that needs 0.2 s per statement, where the customers page takes seconds
    gql("{ __typename }", bearer=staff_token())  # the keys fetched, the schema warm
    monkeypatch.setattr(deadline, "STAFF_QUERY_SECONDS", 60)
    _, unbounded, took = timed(gql, 0.2)
    assert "errors" not in unbounded and took > 2.0, took
    # when the deadline is 0.5 s
    monkeypatch.setattr(deadline, "STAFF_QUERY_SECONDS", 0.5)
    status, body, elapsed = timed(gql, 0.2)
    # then the request ends near the deadline, with coded errors for what it could not finish
    assert status == 200
    assert error_codes(body) and set(error_codes(body)) == {"query_too_complex"}, body
    assert "more than 0.5 s of the database" in body["errors"][0]["message"]
    assert elapsed < 1.2, elapsed  # the deadline, and the savepoint the slow database delays before it
    # and the connection is usable again (the aborted transaction was rolled back)
    _, after = gql("{ crmCustomers(first: 1) { totalCount } }", bearer=staff_token())
    assert "errors" not in after, after


def test_within_the_deadline_nothing_changes(gql, record_shop, monkeypatch):
    monkeypatch.setattr(deadline, "STAFF_QUERY_SECONDS", 5.0)
    with connection.execute_wrapper(slow_database(0.01)):
        _, body = gql(CUSTOMERS_PAGE, {"first": 10, "channel": "web"}, bearer=staff_token())
    assert "errors" not in body and body["data"]["crmCustomers"]["totalCount"] == 8


def test_storefront_requests_run_as_before_without_a_transaction(gql, record_shop, django_assert_max_num_queries,
                                                                 settings):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _, body = gql(operation("storefront/my-profile"), bearer=token(user_id=100))
    assert "errors" not in body, body
    assert not [q for q in captured.captured_queries if "statement_timeout" in q["sql"]]

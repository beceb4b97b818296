"""The API of "Recompute now": starting it (once at a time, coded errors), reading its progress; and the report's
revenue per currency, which must not wait for the scores."""

import pytest

from saleor_crm_plugin.models import RecomputeRun
from saleor_crm_plugin.recompute import run_recompute
from tests.celery_processes import free_port
from tests.clock import ago
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db

START = operation("staff/recompute-start")
RUN = operation("staff/recompute-run")
REPORT = operation("staff/report")


@pytest.fixture
def broker_down():
    """The task queue unreachable: the host's Celery app pointed at a port nothing listens on."""
    from crm_host.celery import app

    # The app keeps its connection pools (made for the old URL) on these attributes: set aside while down.
    saved = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app._pool = app.amqp._producer_pool = None
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    yield
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


def orders(events, ingest):
    for n in range(3):
        ingest(events.order(email=f"r{n}@example.com", user_id=800 + n, at=ago(days=10 * n + 1),
                            lines=[events.line(1, price="10.00"), events.line(2, price="5.50")]))
    ingest(events.order(email="eu@example.com", user_id=810, at=ago(days=3), currency="EUR",
                        lines=[events.line(1, price="7.00")]))


def test_recompute_now_starts_once_and_reports_its_progress(gql, events, ingest):
    # given: a shop with orders and nothing running
    orders(events, ingest)
    _, before = gql(RUN, bearer=staff_token())
    # when: staff ask twice (the first is handed to the task queue; no worker takes it yet)
    _, first = gql(START, bearer=staff_token())
    _, second = gql(START, bearer=staff_token())
    # then: one run, queued, returned both times
    assert before == {"data": {"crmRecomputeRun": None}}
    one, two = first["data"]["crmRecomputeStart"], second["data"]["crmRecomputeStart"]
    assert (one["started"], two["started"], one["errors"], two["errors"]) == (True, False, [], [])
    assert one["run"]["id"] == two["run"]["id"]
    assert one["run"] | {"requestedAt": None} == {
        "id": one["run"]["id"], "state": "QUEUED", "reason": "STAFF", "step": None, "done": 0, "total": 3,
        "requestedAt": None, "startedAt": None, "finishedAt": None, "error": None, "customersScored": 0}
    # when: a worker runs it
    run_recompute(RecomputeRun.objects.get().pk)
    _, latest = gql(RUN, bearer=staff_token())
    _, by_id = gql(RUN, {"id": one["run"]["id"]}, bearer=staff_token())
    # then: done, every step, every customer scored (3 in USD, 1 in EUR)
    done = latest["data"]["crmRecomputeRun"]
    assert done == by_id["data"]["crmRecomputeRun"]
    assert (done["state"], done["step"], done["done"], done["total"], done["customersScored"]) == (
        "DONE", "SEGMENTS", 3, 3, 4)
    assert done["startedAt"] and done["finishedAt"] and done["error"] is None


def test_recompute_answers_with_codes(gql, broker_down):
    # when: the queue is down
    _, down = gql(START, bearer=staff_token())
    # then: a coded error, and the run it could not hand over is failed (the next request starts afresh)
    body = down["data"]["crmRecomputeStart"]
    assert (body["run"], body["started"]) == (None, None)
    assert [e["code"] for e in body["errors"]] == ["WORKER_UNAVAILABLE"] and "try again" in body["errors"][0]["message"]
    assert RecomputeRun.objects.get().state == "failed"
    # and: wrong ids, shoppers and strangers
    _, unknown = gql(RUN, {"id": gid("CRMRecomputeRun", 999)}, bearer=staff_token())
    _, wrong_kind = gql(RUN, {"id": gid("CRMSegment", 1)}, bearer=staff_token())
    _, shopper = gql(START, bearer=token(user_id=5))
    _, anonymous = gql(RUN)
    assert error_codes(unknown) == ["not_found"] and error_codes(wrong_kind) == ["invalid_id"]
    assert error_codes(shopper) == ["permission_denied"] and error_codes(anonymous) == ["unauthenticated"]
    assert RecomputeRun.objects.count() == 1


def test_the_report_has_revenue_per_currency_before_any_scores(gql, events, ingest):
    # given: folded orders and no scores yet (the nightly job or a recompute never ran): the customer list
    # already shows each customer's revenue
    orders(events, ingest)
    # when
    _, body = gql(REPORT, {"months": 12}, bearer=staff_token())
    # then: the overview's revenue is there too (it was read from the RFM groups, empty until the scores)
    report = body["data"]["crmReport"]
    assert report["rfmGroups"] == []
    assert report["revenue"] == [
        {"currency": "EUR", "customers": 1, "orders": 1, "amount": 7.0},
        {"currency": "USD", "customers": 3, "orders": 3, "amount": 46.5},
    ]

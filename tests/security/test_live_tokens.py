"""Issue 20, tokens: against a live host (gunicorn, 2 sync workers, DEBUG=0), an extension token counts only for
the CRM's registered app, registration accepts only the CRM's own app, and registrations against a Saleor that
never answers do not hold the host's workers.

The host's Saleor is the tests' issuer (``tests.graphql.conftest.ISSUER``, ``crm_host.devjwks``): it publishes
the JWKS, answers ``{ app { id identifier } }`` for the app tokens it issued, and can be made to never answer.
"""

import statistics
import threading
import time

import pytest
import requests

from saleor_crm_plugin.models import AppRegistration
from tests.graphql.conftest import ISSUER, gid
from tests.live_host import live_host, live_host_settings, wait_for  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

REGISTER = "/plugins/global/saleor_crm_plugin.crm/register"
CUSTOMERS = "{ crmCustomers(first: 1) { totalCount } }"
TYPENAME = "{ __typename }"
CRM_APP = gid("App", 7)
OTHER_APP = gid("App", 99)
MAX_DELAY_SECONDS = 1.0
REGISTRATIONS_AT_ONCE = 4


@pytest.fixture
def saleor():
    """The host's Saleor, answering (again at the end, so that a hung question is released)."""
    ISSUER.answer()
    yield ISSUER
    ISSUER.answer()


@pytest.fixture
def customers(transactional_db, events, ingest):
    ingest(*[events.order(email=f"customer{n}@example.com", user_id=200 + n) for n in range(3)])


def register(host, token: str) -> requests.Response:
    """POST an app token to the registration endpoint, as Saleor does (naming itself in Saleor-Api-Url)."""
    return requests.post(f"{host.url}{REGISTER}", json={"auth_token": token}, timeout=30,
                         headers={"Saleor-Api-Url": host.env["SALEOR_CRM_SALEOR_URL"]})


def codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def test_another_apps_extension_token_reads_no_customers(live_host, saleor, customers):
    # given: the CRM's app registered (as App:7) the way Saleor does it, and its own token working
    assert register(live_host, saleor.issue_app_token(CRM_APP)).status_code == 200
    crm_token = ISSUER.extension_token(app=CRM_APP)
    # (each worker reads the registration afresh within five seconds)
    assert wait_for(lambda: live_host.graphql(CUSTOMERS, bearer=crm_token).status_code == 200, timeout=15)
    # when: a token Saleor signed for App:99's extension, for a staff member with MANAGE_USERS
    answers = [live_host.graphql(CUSTOMERS, bearer=ISSUER.extension_token(app=OTHER_APP)) for _ in range(4)]
    # then: every worker refuses it, and no customer data comes back
    for answer in answers:
        assert answer.status_code == 403 and codes(answer.json()) == ["permission_denied"], answer.text
        assert answer.json()["data"] is None and "@example.com" not in answer.text
    assert live_host.graphql(CUSTOMERS, bearer=crm_token).json()["data"]["crmCustomers"]["totalCount"] == 3


def test_a_registration_with_another_apps_token_is_refused_and_changes_nothing(live_host, saleor, settings):
    # given: the CRM's app is registered
    token = saleor.issue_app_token(CRM_APP)
    assert register(live_host, token).status_code == 200
    settings.SECRET_KEY = live_host.env["SECRET_KEY"]  # the host's key seals the token
    before = AppRegistration.objects.values_list("app_id", "sealed_token", "installed_at").get()
    # when: a token Saleor issued to another app of the shop is POSTed to the registration endpoint
    refused = register(live_host, saleor.issue_app_token(OTHER_APP, identifier="someone-elses-app"))
    # then
    assert refused.status_code == 403 and refused.json()["success"] is False
    assert AppRegistration.objects.values_list("app_id", "sealed_token", "installed_at").get() == before
    registration = AppRegistration.objects.get()
    assert registration.app_token() == token and token not in registration.sealed_token


def test_registrations_against_a_saleor_that_never_answers_do_not_hold_the_workers(live_host, saleor, capsys):
    # given: how long `{ __typename }` takes on an idle host
    idle = statistics.median(_timed(lambda: live_host.graphql(TYPENAME)) for _ in range(5))
    # and: Saleor accepts connections and never answers
    saleor.hang()
    asked = saleor.app_questions
    results = []

    def attempt(token):
        start = time.monotonic()
        response = register(live_host, token)
        results.append((response.status_code, response.headers.get("Retry-After"), time.monotonic() - start))

    tokens = [saleor.issue_app_token(CRM_APP) for _ in range(REGISTRATIONS_AT_ONCE)]
    threads = [threading.Thread(target=attempt, args=(token,)) for token in tokens]
    # when: four registrations arrive at once, and then a GraphQL request
    for thread in threads:
        thread.start()
    assert saleor.wait_for_questions(asked + 1)  # one of them is waiting for Saleor
    busy = _timed(lambda: live_host.graphql(TYPENAME))
    for thread in threads:
        thread.join(30)
    delay = busy - idle
    with capsys.disabled():
        print(f"\n{REGISTRATIONS_AT_ONCE} registrations against a Saleor that never answers: {{ __typename }} took "
              f"{busy:.3f}s (idle {idle:.3f}s), delayed by {delay:.3f}s; registrations answered "
              + ", ".join(f"{status} in {took:.2f}s" for status, _, took in sorted(results, key=lambda r: r[2])))
    # then: the request is not held up, Saleor was asked once, and every registration was answered (503) soon
    assert delay < MAX_DELAY_SECONDS, delay
    assert saleor.app_questions == asked + 1
    assert len(results) == REGISTRATIONS_AT_ONCE and all(status == 503 and retry for status, retry, _ in results)
    assert max(took for *_, took in results) < 4
    assert not AppRegistration.objects.exists()


def _timed(call) -> float:
    start = time.monotonic()
    response = call()
    assert response.status_code == 200, response.text
    return time.monotonic() - start

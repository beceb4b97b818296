"""Registration of the app token Saleor POSTs when it installs the CRM's app: only this shop's Saleor, only the
CRM's own app, the token sealed at rest, and the question to Saleor bounded in time and in number."""

import json
import threading
import time
from types import SimpleNamespace

import pytest
import requests
from django.db import connection
from graphql_relay import to_global_id

from crm_host.devjwks import Issuer
from saleor_crm_plugin.dashboard.registration import (RETRY_AFTER_SECONDS, VERIFY_DEADLINE_SECONDS,
                                                       verification_slot)
from saleor_crm_plugin.models import AppRegistration
from saleor_crm_plugin.sealing import InvalidToken

REGISTER = "/plugins/global/saleor_crm_plugin.crm/register"
CRM_APP = to_global_id("App", "7")
OTHER_APP = to_global_id("App", "99")
BOUND = VERIFY_DEADLINE_SECONDS + 0.5  # what one registration may take against a Saleor that never answers
AT_ONCE = 0.5  # what a refused or deferred registration may take


@pytest.fixture(scope="module")
def stand_in():
    """Saleor as registration asks it (``{ app { id identifier } }``), over real HTTP."""
    issuer = Issuer()
    url, server = issuer.serve()
    yield issuer, f"{url}/graphql/"
    issuer.answer()
    server.shutdown()


@pytest.fixture
def saleor(stand_in, settings):
    issuer, url = stand_in
    issuer.answer()
    settings.SALEOR_CRM_SALEOR_URL = url
    settings.SALEOR_CRM = {"public_url": "https://shop.example.com"}
    yield SimpleNamespace(issuer=issuer, url=url)
    issuer.answer()


def post_token(client, token, api_url):
    return client.post(REGISTER, data=json.dumps({"auth_token": token}), content_type="application/json",
                       HTTP_SALEOR_API_URL=api_url)


def stored() -> tuple:
    registration = AppRegistration.objects.get()
    return registration.app_id, registration.app_token(), registration.installed_at


def raw_columns() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM crm_app_registration")
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone()))


@pytest.mark.django_db
def test_the_crms_app_token_is_kept_sealed_and_never_shown(client, saleor):
    # given: Saleor installed the CRM's app (identifier saleor-crm-plugin) as App:7
    token = saleor.issuer.issue_app_token(CRM_APP)
    # when
    response = post_token(client, token, saleor.url)
    # then
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert token not in response.content.decode()
    registration = AppRegistration.objects.get()
    assert (registration.saleor_api_url, registration.app_id, registration.app_token()) == (saleor.url, CRM_APP, token)
    # and at rest the token is nowhere in the row, in any column
    row = raw_columns()
    assert "auth_token" not in row and not any(token in str(value) for value in row.values())
    assert token not in repr(registration)


@pytest.mark.django_db
def test_a_reinstall_of_the_crms_app_replaces_the_registration(client, saleor):
    # given
    post_token(client, saleor.issuer.issue_app_token(CRM_APP), saleor.url)
    # when: reinstalled, Saleor gives the app a new id and a new token
    reinstalled = to_global_id("App", "8")
    token = saleor.issuer.issue_app_token(reinstalled)
    response = post_token(client, token, saleor.url)
    # then
    assert response.status_code == 200
    assert stored()[:2] == (reinstalled, token) and AppRegistration.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["someone-elses-app", "", None, "SALEOR-CRM-PLUGIN"])
def test_another_apps_token_is_refused_and_the_registration_stays(client, saleor, identifier):
    # given: the CRM's app is registered
    post_token(client, saleor.issuer.issue_app_token(CRM_APP), saleor.url)
    before = stored()
    # when: a token Saleor really issued, but to another app installed in the same shop
    response = post_token(client, saleor.issuer.issue_app_token(OTHER_APP, identifier), saleor.url)
    # then
    assert response.status_code == 403 and response.json() == {
        "success": False, "error": "The token belongs to another app, not the CRM's."}
    assert stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "body", "api_url", "status"), [
    ("get", None, "ours", 405),
    ("post", "not json", "ours", 400),
    ("post", json.dumps({"auth_token": ""}), "ours", 400),
    ("post", json.dumps(["auth_token"]), "ours", 400),
    ("post", json.dumps({"auth_token": "x" * 300}), "ours", 400),
    ("post", json.dumps({"auth_token": "y" * 5000}), "ours", 400),
    ("post", "known", "https://evil.example.com/graphql/", 403),
    ("post", "known", None, 403),
    ("post", json.dumps({"auth_token": "a-token-saleor-never-issued"}), "ours", 403),
])
def test_a_registration_not_from_this_shops_saleor_stores_nothing(client, saleor, method, body, api_url, status):
    if body == "known":
        body = json.dumps({"auth_token": saleor.issuer.issue_app_token(CRM_APP)})
    headers = {"HTTP_SALEOR_API_URL": saleor.url if api_url == "ours" else api_url} if api_url else {}
    if method == "get":
        response = client.get(REGISTER, **headers)
    else:
        response = client.post(REGISTER, data=body, content_type="application/json", **headers)
    assert response.status_code == status and response.json()["success"] is False
    assert not AppRegistration.objects.exists()


@pytest.mark.django_db
def test_the_token_reads_back_only_with_the_key_it_was_sealed_with(client, saleor, settings):
    # given
    token = saleor.issuer.issue_app_token(CRM_APP)
    post_token(client, token, saleor.url)
    old_key = settings.SECRET_KEY
    # when: SECRET_KEY is rotated the way Django documents it, the old key kept as a fallback
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "n" * 50, [old_key]
    # then
    assert AppRegistration.objects.get().app_token() == token
    # and without the old key it cannot be read at all
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidToken):
        AppRegistration.objects.get().app_token()


@pytest.mark.django_db
def test_a_saleor_that_never_answers_holds_a_registration_for_a_few_seconds_only(client, saleor):
    # given: Saleor accepts the connection and never answers
    saleor.issuer.hang()
    # when
    start = time.monotonic()
    response = post_token(client, saleor.issuer.issue_app_token(CRM_APP), saleor.url)
    took = time.monotonic() - start
    # then
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert took < BOUND, took
    assert not AppRegistration.objects.exists()


@pytest.mark.django_db
def test_while_one_registration_is_verified_another_is_answered_at_once(client, saleor):
    # given: a verification in flight (in another process, as far as the lock can tell: its own connection)
    questions = saleor.issuer.app_questions
    with verification_slot() as free:
        assert free
        # when
        start = time.monotonic()
        response = post_token(client, saleor.issuer.issue_app_token(CRM_APP), saleor.url)
        took = time.monotonic() - start
    # then: 503 at once, Saleor not even asked, nothing stored
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert took < AT_ONCE, took
    assert saleor.issuer.app_questions == questions and not AppRegistration.objects.exists()
    # and the slot is free again once the verification ended
    assert post_token(client, saleor.issuer.issue_app_token(CRM_APP), saleor.url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_against_a_hung_saleor_wait_for_one_question_only(live_server, saleor):
    # given: Saleor never answers, and one registration is waiting for it
    saleor.issuer.hang()
    asked = saleor.issuer.app_questions
    token = saleor.issuer.issue_app_token(CRM_APP)
    url = f"{live_server.url}{REGISTER}"
    first = {}

    def register_first():
        start = time.monotonic()
        response = requests.post(url, json={"auth_token": token}, headers={"Saleor-Api-Url": saleor.url}, timeout=30)
        first.update(status=response.status_code, took=time.monotonic() - start)

    thread = threading.Thread(target=register_first)
    thread.start()
    assert saleor.issuer.wait_for_questions(asked + 1)
    # when: three more arrive meanwhile
    seconds = []
    for _ in range(3):
        start = time.monotonic()
        response = requests.post(url, json={"auth_token": token}, headers={"Saleor-Api-Url": saleor.url}, timeout=30)
        seconds.append((response.status_code, time.monotonic() - start))
    thread.join(30)
    # then: each is deferred at once, Saleor was asked once, and the first gave up within the bound
    assert all(status == 503 and took < AT_ONCE for status, took in seconds), seconds
    assert saleor.issuer.app_questions == asked + 1
    assert first["status"] == 503 and first["took"] < BOUND, first
    assert not AppRegistration.objects.exists()

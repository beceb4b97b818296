"""Surveys answered by clicking a score: signed links, the confirming page, refusals, low scores."""

import re
import time
from urllib.parse import urlsplit

import pytest
import requests
from django.core import signing
from django.test import override_settings

from saleor_crm_plugin.campaigns import tokens
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import CustomerProfile
from saleor_crm_plugin.models.support import ServiceRequest, SurveyResponse
from saleor_crm_plugin.support import surveys
from saleor_crm_plugin.support.links import SURVEY
from tests.support.conftest import ANN

PUBLIC = {"public_url": "https://shop.example.com", "from_email": "help@shop.example.com"}


def ann_id() -> int:
    return CustomerProfile.objects.get(user_id=ANN["user_id"]).pk


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.django_db
@override_settings(SALEOR_CRM=PUBLIC)
def test_links_per_score_for_csat_and_nps(shop):
    csat = surveys.survey_links(ann_id(), "ann-1", "default-channel", "csat")
    nps = surveys.survey_links(ann_id(), None, "default-channel", "nps", key="nps:2026-11")
    assert sorted(csat) == [1, 2, 3, 4, 5] and sorted(nps) == list(range(11))
    assert all(re.fullmatch(r"https://shop\.example\.com/plugins/global/saleor_crm_plugin\.crm/survey/[^/]+", u)
               for u in [*csat.values(), *nps.values()])
    assert surveys.read_survey(path_of(csat[4]).rsplit("/", 1)[1])["score"] == 4
    for bad, code in [(("x", "ann-1", "c", "csat"), "invalid"), ((1, "ann-1", "c", "ces"), "invalid_kind"),
                      ((1, "ann-1", "a b", "csat"), "invalid_channel"), ((1, "o" * 65, "c", "csat"), "invalid")]:
        with pytest.raises(CRMError) as error:
            surveys.survey_links(*bad)
        assert error.value.code_value == code


@pytest.mark.django_db(transaction=True)
def test_clicking_a_score_shows_a_page_and_only_its_button_stores(shop, live_server):
    with override_settings(SALEOR_CRM=PUBLIC):
        url = live_server.url + path_of(surveys.survey_links(ann_id(), "ann-1", "default-channel", "csat")[5])
        # when: a scanner (or the customer) opens the link
        page = requests.get(url, timeout=10)
        # then: the score is confirmed, a comment box offered, nothing stored
        assert page.status_code == 200 and "5 out of 5" in page.text and 'name="comment"' in page.text
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert not SurveyResponse.objects.exists()
        # when: the button
        done = requests.post(url, data={"comment": "Lovely packaging"}, timeout=10)
        # then
        assert done.status_code == 200 and "Thank you" in done.text
        answer = SurveyResponse.objects.get()
        assert (answer.kind, answer.score, answer.comment, answer.order_id, answer.key) == (
            "csat", 5, "Lovely packaging", "ann-1", f"csat:{ann_id()}:ann-1")
        assert answer.request is None


@pytest.mark.django_db(transaction=True)
def test_forged_tampered_foreign_and_expired_links_are_refused_and_change_nothing(shop, live_server):
    with override_settings(SALEOR_CRM={**PUBLIC, "survey_link_days": 1}):
        good = path_of(surveys.survey_links(ann_id(), "ann-1", "default-channel", "csat")[1]).rsplit("/", 1)[1]
        payload = {"p": ann_id(), "o": "ann-1", "c": "default-channel", "k": "csat", "y": "forged", "s": 1}
        forged = signing.dumps(payload, key="not-the-shops-secret", salt=f"saleor_crm_plugin.{SURVEY}")
        tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
        foreign = tokens.make_token(tokens.UNSUBSCRIBE, payload)
        reply_purpose = tokens.make_token("support_reply", payload)
        expired = _backdated(payload, days=2)
        base = f"{live_server.url}/plugins/global/saleor_crm_plugin.crm/survey/"
        for token, words in [(forged, "not valid"), (tampered, "not valid"), (foreign, "not valid"),
                             (reply_purpose, "not valid"), (expired, "expired"), ("x" * 2000, "not valid")]:
            for method in (requests.get, requests.post):
                response = method(base + token, data={"comment": "hi"}, timeout=10)
                assert response.status_code == 400, (token, method)
                assert "This link does not work" in response.text and words in response.text
                assert "Traceback" not in response.text
        with pytest.raises(CRMError) as error:
            surveys.answer(expired)
        assert error.value.code_value == "token_expired"
    assert not SurveyResponse.objects.exists() and not ServiceRequest.objects.exists()


def _backdated(payload: dict, *, days: int) -> str:
    """A token of this shop made ``days`` ago (Django's signer takes its time from time.time)."""
    real = time.time
    try:
        time.time = lambda: real() - days * 86400
        return tokens.make_token(SURVEY, payload)
    finally:
        time.time = real


@pytest.mark.django_db
@override_settings(SALEOR_CRM=PUBLIC)
def test_a_low_score_opens_one_service_request_and_a_second_click_updates_the_same_answer(shop):
    links = surveys.survey_links(ann_id(), "ann-1", "default-channel", "nps")
    token = {score: path_of(url).rsplit("/", 1)[1] for score, url in links.items()}
    # when: 3 with a comment, then 2, then 9
    first = surveys.answer(token[3], comment="Slow delivery")
    again = surveys.answer(token[2])
    # then: one answer, one low_score request, the comment kept
    assert first.pk == again.pk and (again.score, again.comment) == (2, "Slow delivery")
    request = ServiceRequest.objects.get()
    assert (request.kind, request.status, request.order_id, request.subject) == (
        "low_score", "open", "ann-1", "NPS score 3 of 10")
    assert request.messages.get().body == "Slow delivery" and again.request_id == request.pk
    happy = surveys.answer(token[9])
    assert (SurveyResponse.objects.count(), ServiceRequest.objects.count(), happy.score) == (1, 1, 9)
    # and: a storefront form's token carries no score: the score is required and checked
    bare = surveys.survey_token(ann_id(), "ann-2", "default-channel", "csat")
    for score, code in [(None, "required"), (0, "invalid_score"), (6, "invalid_score"), (True, "invalid_score")]:
        with pytest.raises(CRMError) as error:
            surveys.answer(bare, score)
        assert error.value.code_value == code
    assert surveys.answer(bare, 4, "ok").score == 4
    with pytest.raises(CRMError) as error:
        surveys.answer(bare, 4, "c" * 5001)
    assert error.value.code_value == "too_long"


@pytest.mark.parametrize("kind, low, fine", [("csat", 2, 3), ("nps", 6, 7)])
def test_the_low_score_thresholds(kind, low, fine):
    assert surveys.is_low(kind, low) and not surveys.is_low(kind, fine)


@pytest.mark.django_db
@override_settings(SALEOR_CRM=PUBLIC)
def test_the_plugin_route_serves_survey_and_reply_paths_only(shop, rf):
    # the plugin's webhook() hands every path here after the campaign pages
    from saleor_crm_plugin.support.pages import route

    token = path_of(surveys.survey_links(ann_id(), "ann-1", "default-channel", "csat")[3]).rsplit("/", 1)[1]
    assert route(rf.get("/"), f"survey/{token}").status_code == 200
    assert route(rf.post("/", {"comment": ""}), f"/survey/{token}/").status_code == 200
    assert SurveyResponse.objects.get().score == 3
    assert route(rf.get("/"), "reply/garbage").status_code == 400
    for path in ("unsubscribe/x", "survey/", "survey/a/b", "graphql", "surveys/x"):
        assert route(rf.get("/"), path) is None, path

"""The stand-in Dashboard itself, with a stub extension page (``stub/``) in place of the built one: it frames
the page from an allowed origin, hands it a real signed token, and the page calls the CRM API with it.
These run without the React build, so the bridge and the framing are checked on any machine with Chromium."""

import pytest
from graphql_relay import to_global_id

from saleor_crm_plugin.dashboard import pages
from tests.browser.conftest import HERE, ISSUER


@pytest.fixture
def stub_page(monkeypatch):
    monkeypatch.setattr(pages, "BUILD", HERE / "stub")


@pytest.fixture
def customers(events, ingest):
    ingest(events.order(email="ann@example.com", user_id=1), events.order(email="bob@example.com", user_id=2))


def test_the_handshake_hands_a_token_the_crm_api_accepts(dashboard, stub_page, customers):
    # when
    framed = dashboard("app", theme="dark", locale="pl")
    status = framed.frame.locator("#status")
    # then
    status.filter(has_text="customers:").wait_for()
    assert status.inner_text() == "customers: 2"
    framed.page.locator("#notifications li[data-status=success]").wait_for()
    bridge = framed.bridge
    assert [a["type"] for a in bridge["actions"]] == ["notifyReady", "notification"]
    assert bridge["handshakes"] == 2  # on load and on notifyReady, as the Dashboard does
    responses = framed.frame.evaluate("() => window.stub.responses")
    assert {r["actionId"] for r in responses} == {a["payload"]["actionId"] for a in bridge["actions"]}
    assert all(r["ok"] for r in responses)
    assert framed.frame.evaluate("() => [window.stub.theme, window.stub.locale]") == ["dark", "pl"]
    assert framed.errors == []


def test_theme_changes_reach_the_page(dashboard, stub_page, customers):
    framed = dashboard("app", theme="light", target="WIDGET")
    framed.frame.locator("body[data-theme=light]").wait_for()
    # when
    framed.set_theme("dark")
    # then
    framed.frame.locator("body[data-theme=dark]").wait_for()


def test_a_token_without_manage_users_is_refused_by_the_api(dashboard, stub_page, customers):
    framed = dashboard("app", token=ISSUER.extension_token(app_permissions=()))
    status = framed.frame.locator("#status")
    status.filter(has_text="refused").wait_for()
    assert status.inner_text() == "refused: permission_denied"


def test_another_apps_token_is_refused_by_the_api(dashboard, stub_page, customers):
    # given: a token the Dashboard made for another app's extension (App:99), for a staff member with MANAGE_USERS
    framed = dashboard("app", token=ISSUER.extension_token(app=to_global_id("App", "99")))
    # then
    status = framed.frame.locator("#status")
    status.filter(has_text="refused").wait_for()
    assert status.inner_text() == "refused: permission_denied"


def test_a_page_framed_by_another_origin_shows_nothing(dashboard, stub_page, customers, settings):
    # given: the Dashboard is somewhere else
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "dashboard_origins": "https://dashboard.shop.example.com"}
    # when
    framed = dashboard("app")
    framed.page.wait_for_timeout(500)
    # then
    assert "Bridge stub" not in framed.frame.content()
    assert framed.bridge["actions"] == []
    assert any("frame-ancestors" in error for error in framed.errors), framed.errors

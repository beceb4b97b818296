"""Every page of the CRM app page and every widget, built, inside the stand-in Dashboard with the record shop
loaded: it shows its content in the light and the dark theme with no console error and no serious axe-core
violation, and a staff member whose token lacks MANAGE_USERS sees a refusal and no customer data.
Screenshots: ``test-artifacts/browser/<view>-<theme>.png``."""

import pytest
from graphql_relay import to_global_id

from tests.browser.conftest import ISSUER, ORDER_UUID, THEMES, describe_violations, serious

# view: (page, route in the app page's fragment, the mount's params, text the loaded view shows)
VIEWS = {
    "overview": ("app", "#/overview", {}, "Repeat purchase rate"),
    "customers": ("app", "#/customers", {}, "jazz0@example.com"),
    "segments": ("app", "#/segments", {}, "Vinyl buyers"),
    "campaigns": ("app", "#/campaigns", {}, "Spring jazz"),
    "templates": ("app", "#/templates", {}, "Create template"),
    "automations": ("app", "#/automations", {}, "Abandoned checkout"),
    "automation-editor": ("app", "#/automations/satisfaction_survey", {}, "Quiet hours"),
    "service": ("app", "#/service", {}, "Where is my parcel?"),
    "recommendations": ("app", "#/recommendations", {}, None),  # the trained version, known once trained
    "customer-widget": ("customer-widget", "", {"customerId": to_global_id("User", "100")}, "jazz0@example.com"),
    "order-widget": ("order-widget", "", {"orderId": to_global_id("Order", ORDER_UUID)}, "jazz0@example.com"),
    "product-widget": ("product-widget", "", {"productId": to_global_id("Product", "1"), "productSlug": "kind-of-blue"},
                       "A Love Supreme"),
    "home-widget": ("home-widget", "", {}, "Spring jazz"),
}
PAGES = ("app", "customer-widget", "order-widget", "product-widget", "home-widget")
SETTLED = "() => !document.querySelector('[aria-busy=true]')"


def active_model_version() -> str:
    from saleor_crm_plugin.models import RecommendationModel

    return RecommendationModel.objects.values_list("version", flat=True).get(is_active=True)


def wait_until_shown(framed, text: str) -> None:
    """Until ``text`` is on the page and nothing is loading any more."""
    framed.frame.get_by_text(text, exact=False).first.wait_for(timeout=20_000)
    framed.frame.wait_for_function(SETTLED, timeout=20_000)
    framed.page.wait_for_timeout(700)  # chart animations end before the screenshot


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_shows_its_content_in_both_themes(view, dashboard, built_pages, shop, axe_source):
    page, route, context, text = VIEWS[view]
    text = text or active_model_version()
    # when
    framed = dashboard(page, hash=route, context=context, theme="light")
    found = {}
    for theme in THEMES:
        framed.set_theme(theme)  # the Dashboard's theme switch: posted as an event, the frame is not reloaded
        framed.frame.wait_for_function("theme => document.documentElement.style.colorScheme === theme", arg=theme)
        try:
            wait_until_shown(framed, text)
        except Exception:
            framed.screenshot(f"{view}-{theme}-failed")  # what was shown instead, for the report
            raise
        framed.screenshot(f"{view}-{theme}")
        found[theme] = serious(framed.axe(axe_source))
    # then
    assert framed.frame.locator("[data-testid=error-state]").count() == 0
    assert framed.errors == []
    assert not describe_violations(found), describe_violations(found)


@pytest.mark.parametrize("page", PAGES)
def test_a_staff_member_without_manage_users_sees_a_refusal(page, dashboard, built_pages, record_shop):
    # given: the Dashboard's token for a staff member the app's permission does not cover
    token = ISSUER.extension_token(app_permissions=())
    context = {"customerId": to_global_id("User", "100"), "orderId": to_global_id("Order", ORDER_UUID),
               "productId": to_global_id("Product", "1")}
    # when
    framed = dashboard(page, token=token, context=context)
    refusal = framed.frame.get_by_role("alert").filter(has_text="Access refused").first
    refusal.wait_for(timeout=20_000)
    framed.screenshot(f"{page}-refused")
    # then
    assert "permission" in refusal.inner_text().lower()
    assert "@example.com" not in framed.frame.inner_text("body").replace("staff@example.com", "")
    assert not [error for error in framed.errors if error.startswith("uncaught")]

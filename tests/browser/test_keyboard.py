"""The CRM by keyboard alone, in the stand-in Dashboard: Tab reaches every control it needs, with a visible
focus ring, and Enter or Space works it. A marketer moves between pages and builds a segment; a support
agent adds a note on a customer's record. No mouse event is sent."""

import pytest

from tests.browser.test_workflows import humanize

# What has focus in the extension: its accessible label (aria-label, else its text) and its tag.
FOCUSED = """() => {
    const el = document.activeElement;
    return el ? [(el.getAttribute('aria-label') || el.textContent || '').trim(), el.tagName] : ['', ''];
}"""
RING = """() => {
    const style = getComputedStyle(document.activeElement);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
}"""


def tab_to(framed, label: str | None = None, *, tag: str | None = None, limit: int = 80) -> None:
    """Tab (forward) until the extension's focused element has ``label`` (or is a ``tag``); its ring must show."""
    seen = []
    for _ in range(limit):
        framed.page.keyboard.press("Tab")
        focused_label, focused_tag = framed.frame.evaluate(FOCUSED)
        seen.append(focused_label or focused_tag)
        if (label is None or focused_label == label) and (tag is None or focused_tag == tag):
            assert framed.frame.evaluate(RING), f"{label or tag!r} has focus but no visible focus ring"
            return
    pytest.fail(f"{label or tag!r} not reached by Tab in {limit} presses; focus went through {seen}")


def test_pages_and_the_segment_builder_by_keyboard(dashboard, built_pages, shop):
    from saleor_crm_plugin.models import CustomerAnalytics

    group = CustomerAnalytics.objects.get(profile=shop["customer"]).rfm_group
    expected = CustomerAnalytics.objects.filter(rfm_group=group).count()
    framed = dashboard("app", hash="#/overview")
    framed.frame.get_by_text("Repeat purchase rate").first.wait_for(timeout=20_000)
    # when: to the segments page
    tab_to(framed, "Segments")
    framed.page.keyboard.press("Enter")
    # then
    framed.frame.get_by_test_id("rule-builder").wait_for(timeout=20_000)
    assert framed.frame.get_by_test_id("nav-segments").get_attribute("aria-current") == "page"
    # when: the customer's RFM group as the rule, the empty first condition removed
    tab_to(framed, humanize(group))
    framed.page.keyboard.press("Enter")
    tab_to(framed, "Remove condition 1")
    framed.page.keyboard.press("Space")
    # then
    count = framed.frame.get_by_test_id("segment-preview-count")
    count.filter(has_text=f"{expected} customer").wait_for(timeout=20_000)
    assert framed.errors == []


def test_a_note_added_on_the_customer_record_by_keyboard(dashboard, built_pages, shop):
    from graphql_relay import to_global_id

    from saleor_crm_plugin.models import CustomerNote

    framed = dashboard("customer-widget", context={"customerId": to_global_id("User", "100")})
    framed.frame.get_by_test_id("customer-notes").wait_for(timeout=20_000)
    # when
    tab_to(framed, tag="TEXTAREA")  # the only one: "Add a note"
    framed.page.keyboard.type("Prefers mail on Mondays.")
    tab_to(framed, "Add note")
    framed.page.keyboard.press("Enter")
    # then
    framed.frame.get_by_test_id("customer-notes").locator("li", has_text="Prefers mail on Mondays.").wait_for(
        timeout=20_000)
    assert CustomerNote.objects.filter(profile=shop["customer"], text="Prefers mail on Mondays.").exists()
    assert framed.errors == []

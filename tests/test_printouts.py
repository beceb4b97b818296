"""What the demo's commands print: words a merchant reads, model details only on request, logs without bars."""

from io import StringIO

import pytest
from django.core.management import call_command

from saleor_crm_plugin.management.commands._progress import EntityProgress
from saleor_crm_plugin.reports.wording import count_of, group_label
from tests.conftest import T0, days


class FakeTerminal(StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_log_gets_plain_periodic_lines_not_bars():
    # given: a stream that is not a terminal, and a clock we move
    log, clock = StringIO(), Clock()
    progress = EntityProgress(log, interval=10, clock=clock)
    # when: 100 batches over 50 s, then a second entity done at once
    for batch in range(1, 101):
        clock.now = batch * 0.5
        progress("orders", batch * 10, 1000)
    progress("products", 5, 5)
    progress.close()
    # then: one line per 10 s and one when done; no carriage returns
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert lines[0] == "orders: 210 of 1,000 (21%)"
    assert lines[-2:] == ["orders: 1,000 of 1,000 (100%)", "products: 5 of 5 (100%)"]
    assert len(lines) == 6


def test_an_unfinished_entity_says_where_it_stopped():
    log, clock = StringIO(), Clock()
    progress = EntityProgress(log, interval=10, clock=clock)
    # when
    progress("orders", 0, 400)
    progress("orders", 100, 400)
    progress.close()
    # then
    assert log.getvalue() == "orders: 100 of 400 (25%)\n"


def test_a_terminal_gets_a_bar():
    terminal = FakeTerminal()
    progress = EntityProgress(terminal)
    # when
    progress("orders", 50, 100)
    progress.close()
    # then
    assert "\r" in terminal.getvalue() and "orders" in terminal.getvalue()


def test_words():
    assert group_label("cant_lose") == "can't lose"
    assert group_label("potential_loyalist") == "potential loyalists"
    assert group_label("some_new_group") == "some new group"
    assert [count_of(1, "order"), count_of(2, "order"), count_of(1234, "customer")] == \
        ["1 order", "2 orders", "1,234 customers"]


@pytest.fixture
def small_shop(ingest, events):
    """Ann: one order; Bob: three; Carl: six orders long ago (his best days are behind him)."""
    products = [events.product(product_id=p, name=f"Tea {p}") for p in (1, 2, 3)]
    orders = [events.order(email="ann@example.com", at=T0 + days(300), lines=[events.line(1)])]
    orders += [events.order(email="bob@example.com", at=T0 + days(250 + 10 * i),
                            lines=[events.line(1), events.line(2)]) for i in range(3)]
    orders += [events.order(email="carl@example.com", at=T0 + days(7 * i),
                            lines=[events.line(2), events.line(3)]) for i in range(6)]
    ingest(*products, *orders)


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_summary_counts_in_words(small_shop):
    # when
    text = _run("crm_summary")
    # then
    assert "1 orders" not in text
    assert "     1 order  :     1" in text
    assert "ann@example.com" in text and " 1 order, last 2025-12-26" in text
    assert "6 orders, every 7.0 days" in text


def test_analytics_prints_group_names_and_hides_model_details_unless_asked(small_shop):
    # when
    plain = _run("crm_analytics", "--as-of", "latest")
    detailed = _run("crm_analytics", "--as-of", "latest", "--details")
    # then
    assert "cant lose" not in plain and "can't lose" in plain
    assert "P(alive)" not in plain and "[fallback" not in plain and "r=" not in plain
    assert "3 customers" in plain and "likely still a customer" in plain
    assert "[fallback, low confidence]" in detailed or "[bgnbd" in detailed


def test_training_and_recommendations_print_what_a_merchant_reads(small_shop):
    # when
    trained = _run("crm_train")
    detailed = _run("crm_train", "--details", "--no-activate")
    shown = _run("crm_recommend", "--channel", "default-channel", "--customer", "ann@example.com", "--product", "1")
    scored = _run("crm_recommend", "--channel", "default-channel", "--product", "1", "--details")
    # then
    assert trained.startswith("Trained recommendations ") and "from 10 orders, 3 customers, 3 products" in trained
    assert "now serving it" in trained and "recall@10" not in trained
    assert "stored, not serving it" in detailed
    assert "score" not in shown and "bought by the same customers" in shown
    assert "score" in scored


"""Storefront limits: a sliding window per visitor and per address, in PostgreSQL; which visitor a request is."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory

from saleor_crm_plugin.models import RateLimitWindow
from saleor_crm_plugin.rate_limits import RateLimited, client_of, forget_old_windows, take

pytestmark = pytest.mark.django_db

T = datetime(2030, 1, 1, 12, 0, 59, 500_000, tzinfo=UTC)  # half a second before a minute turns


def let_through(times, **who) -> list[bool]:
    passed = []
    for at in times:
        try:
            take(now=at, **who)
            passed.append(True)
        except RateLimited:
            passed.append(False)
    return passed


def test_no_minute_lets_more_than_the_limit_through_not_even_across_a_turn_of_the_clock():
    # when: 10 requests just before a minute turns, 10 just after, then more as the first ones age out
    before = [T + timedelta(milliseconds=10 * n) for n in range(10)]
    after = [T + timedelta(seconds=1, milliseconds=10 * n) for n in range(10)]
    later = [T + timedelta(seconds=60, milliseconds=5), T + timedelta(seconds=60, milliseconds=6)]
    # then: the 10 after the turn are refused (a fixed window would let them through), then one slot frees
    assert let_through(before + after, client="203.0.113.1") == [True] * 10 + [False] * 10
    assert let_through(later, client="203.0.113.1") == [True, False]


def test_a_refusal_says_when_a_slot_frees_and_records_nothing():
    for n in range(10):
        take(client="203.0.113.2", now=T + timedelta(seconds=n))
    with pytest.raises(RateLimited) as refused:
        take(client="203.0.113.2", now=T + timedelta(seconds=20))
    assert refused.value.retry_after == 40 and refused.value.code_value == "rate_limited"
    assert len(RateLimitWindow.objects.get().stamps) == 10


def test_an_address_is_limited_whoever_asks_and_the_visitor_is_not_charged_for_a_refusal(settings):
    # when: six visitors ask about one address within the hour
    passed = let_through([T + timedelta(minutes=n) for n in range(6)], client=None, subject="Ann@Example.com")
    # then
    assert passed == [True] * 5 + [False]
    take(client="203.0.113.3", subject="other@example.com", now=T)
    with pytest.raises(RateLimited):
        take(client="203.0.113.3", subject="ann@example.com", now=T + timedelta(minutes=7))
    client_row = [row for row in RateLimitWindow.objects.all() if len(row.stamps) == 1]
    assert len(client_row) == 2  # the visitor's one request and other@'s, not the refused one


def test_keys_name_nobody():
    take(client="203.0.113.4", subject="ann@example.com", now=T)
    keys = " ".join(RateLimitWindow.objects.values_list("key", flat=True))
    assert "ann" not in keys and "203.0.113.4" not in keys


def test_rows_untouched_for_a_day_are_forgotten():
    take(client="203.0.113.5", now=T)
    assert forget_old_windows(now=T + timedelta(hours=23)) == 0
    assert forget_old_windows(now=T + timedelta(days=1, seconds=1)) == 1


@pytest.mark.parametrize("remote, forwarded, crm, visitor", [
    ("198.51.100.7", None, {}, "198.51.100.7"),
    ("2001:db8:1:2:3:4:5:6", None, {}, "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.7", None, {}, "198.51.100.7"),
    ("10.0.0.1", "203.0.113.9, 10.0.0.1", {}, "10.0.0.1"),  # no header configured: the header is ignored
    ("10.0.0.1", "1.2.3.4, 203.0.113.9", {"client_ip_header": "X-Forwarded-For"}, "203.0.113.9"),
    ("10.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.2",
     {"client_ip_header": "X-Forwarded-For", "trusted_proxies": 2}, "203.0.113.9"),
    ("10.0.0.1", "not an address", {"client_ip_header": "X-Forwarded-For"}, "unparsed:not an address"),
])
def test_the_visitor_is_the_connection_or_what_your_proxy_says(settings, remote, forwarded, crm, visitor):
    settings.SALEOR_CRM = crm
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().post("/graphql/", REMOTE_ADDR=remote, **headers)
    assert client_of(request) == visitor

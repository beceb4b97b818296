import pytest

from saleor_crm_plugin.error_codes import EventErrorCode
from saleor_crm_plugin.events.schema import InvalidEvent, parse_event, payload_dedupe_key


def test_payload_round_trip_keeps_every_field(events):
    # given
    event = events.order(email="Ann@Example.com ", lines=[events.line(quantity=3, price="2.50")])

    # when
    parsed = parse_event(event.to_payload())

    # then
    assert parsed == event.__class__(**{**event.__dict__, "customer": parsed.customer})
    assert parsed.customer.email == "ann@example.com"
    assert parsed.dedupe_key == event.dedupe_key


def test_dedupe_key_depends_on_kind_entity_and_version(events):
    base = events.order(order_id="o-1")
    assert base.dedupe_key == events.order(order_id="o-1").dedupe_key
    assert base.dedupe_key != events.order(order_id="o-2").dedupe_key
    assert base.dedupe_key != events.order(order_id="o-1", kind="order.paid").dedupe_key
    later = events.order(order_id="o-1", updated_at=base.updated_at.replace(hour=12))
    assert base.dedupe_key != later.dedupe_key


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (lambda p: p["customer"].update(email=None), EventErrorCode.MISSING_IDENTITY, "customer"),
        (lambda p: p["customer"].update(email="not-an-email"), EventErrorCode.INVALID_EMAIL, "customer.email"),
        (lambda p: p.update(currency="XYZ"), EventErrorCode.UNKNOWN_CURRENCY, "currency"),
        (lambda p: p["lines"][0].update(quantity=-2), EventErrorCode.INVALID_QUANTITY, "lines[0].quantity"),
        (lambda p: p["lines"][0].update(quantity="two"), EventErrorCode.INVALID_QUANTITY, "lines[0].quantity"),
        (lambda p: p.update(total_gross="-1"), EventErrorCode.INVALID_AMOUNT, "total_gross"),
        (lambda p: p.update(placed_at="yesterday"), EventErrorCode.INVALID_DATE, "placed_at"),
        (lambda p: p.update(placed_at="2025-01-01T00:00:00"), EventErrorCode.INVALID_DATE, "placed_at"),
        (lambda p: p.update(kind="order.teleported"), EventErrorCode.UNKNOWN_KIND, "kind"),
        (lambda p: p.pop("order_id"), EventErrorCode.INVALID, "order_id"),
    ],
)
def test_invalid_order_payloads_are_rejected_with_a_code(events, change, code, field):
    # given
    payload = events.order(email="ann@example.com").to_payload()
    change(payload)

    # when
    with pytest.raises(InvalidEvent) as error:
        parse_event(payload)

    # then
    assert error.value.code == code
    assert error.value.field == field


def test_anonymous_checkout_is_valid_but_an_anonymous_account_event_is_not(events):
    assert parse_event(events.checkout().to_payload()).customer.known is False
    payload = events.customer().to_payload()
    payload["customer"]["user_id"] = None
    with pytest.raises(InvalidEvent) as error:
        parse_event(payload)
    assert error.value.code == EventErrorCode.MISSING_IDENTITY


def test_invalid_payloads_still_get_a_stable_dedupe_key():
    payload = {"type": "order", "kind": "order.created", "currency": "???"}
    assert payload_dedupe_key(payload) == payload_dedupe_key(dict(payload))
    assert payload_dedupe_key(payload) != payload_dedupe_key({**payload, "currency": "!!!"})


def test_an_order_country_is_an_iso_code(events):
    from saleor_crm_plugin.events.schema import InvalidEvent, parse_event

    payload = events.order(email="a@example.com", country="de").to_payload()
    assert parse_event(payload).country == "DE"
    with pytest.raises(InvalidEvent) as error:
        parse_event({**payload, "country": "Germany"})
    assert error.value.field == "country"

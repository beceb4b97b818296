import pytest

from saleor_crm_plugin.error_codes import EventErrorCode
from saleor_crm_plugin.normalized.schema import InvalidEvent, parse_event, payload_dedupe_key


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
    from saleor_crm_plugin.normalized.schema import InvalidEvent, parse_event

    payload = events.order(email="a@example.com", country="de").to_payload()
    assert parse_event(payload).country == "DE"
    with pytest.raises(InvalidEvent) as error:
        parse_event({**payload, "country": "Germany"})
    assert error.value.field == "country"


DATE_FIELDS = [
    ("order", "occurred_at"), ("order", "placed_at"), ("order", "updated_at"),
    ("checkout", "occurred_at"), ("checkout", "updated_at"), ("checkout", "started_at"),
    ("customer", "occurred_at"), ("customer", "updated_at"), ("customer", "joined_at"),
    ("product", "occurred_at"), ("product", "updated_at"),
]
OUT_OF_RANGE_DATES = [
    "9999-12-31T23:59:59-14:00",  # year 10000 in UTC
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "1969-12-31T23:59:59+00:00",
    "2999-01-01T00:00:00+00:00",
]


@pytest.mark.parametrize(("kind", "name"), DATE_FIELDS)
@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES)
def test_every_date_of_every_event_kind_is_range_checked(events, kind, name, value):
    # given
    payload = getattr(events, kind)(email="ann@example.com").to_payload() if kind in ("order", "checkout") \
        else getattr(events, kind)().to_payload()
    assert parse_event(payload)  # valid as built
    payload[name] = value

    # when
    with pytest.raises(InvalidEvent) as error:
        parse_event(payload)

    # then
    assert (error.value.code, error.value.field) == (EventErrorCode.INVALID_DATE, name)


def test_dates_at_the_edges_of_the_range_are_accepted(events):
    from datetime import datetime, timedelta, timezone

    payload = events.order(email="ann@example.com").to_payload()
    soon = datetime.now(timezone.utc) + timedelta(hours=20)  # a shop clock running ahead
    for value in ("1970-01-01T00:00:00+00:00", soon.isoformat()):
        assert parse_event({**payload, "placed_at": value}).placed_at == datetime.fromisoformat(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("NaN", EventErrorCode.INVALID_AMOUNT), ("Infinity", EventErrorCode.INVALID_AMOUNT),
        ("-Infinity", EventErrorCode.INVALID_AMOUNT), ("1e999999", EventErrorCode.INVALID_AMOUNT),
        (float("nan"), EventErrorCode.INVALID_AMOUNT),
        pytest.param(10**5000, EventErrorCode.INVALID_AMOUNT, id="5000-digit-int"),
        ("99999999999999999.9999", EventErrorCode.INVALID_AMOUNT),  # rounds past numeric(20, 3)
        (True, EventErrorCode.INVALID_AMOUNT), ({"amount": 1}, EventErrorCode.INVALID_AMOUNT),
    ],
)
def test_amounts_that_are_not_storable_numbers_are_refused(events, value, code):
    payload = events.order(email="ann@example.com").to_payload()
    for name, change in (("total_gross", {"total_gross": value}),
                         ("lines[0].unit_price", {"lines": [{**payload["lines"][0], "unit_price": value}]})):
        with pytest.raises(InvalidEvent) as error:
            parse_event({**payload, **change})
        assert (error.value.code, error.value.field) == (code, name)


@pytest.mark.parametrize("quantity", [1.5, "1.5", True, float("inf"), 2**31, [1], None])
def test_a_quantity_is_a_whole_number_never_truncated(events, quantity):
    payload = events.order(email="ann@example.com").to_payload()
    payload["lines"][0]["quantity"] = quantity
    with pytest.raises(InvalidEvent) as error:
        parse_event(payload)
    assert (error.value.code, error.value.field) == (EventErrorCode.INVALID_QUANTITY, "lines[0].quantity")


def test_a_whole_float_or_text_quantity_is_taken(events):
    payload = events.order(email="ann@example.com").to_payload()
    for quantity in (2.0, "2"):
        payload["lines"][0]["quantity"] = quantity
        assert parse_event(payload).lines[0].quantity == 2

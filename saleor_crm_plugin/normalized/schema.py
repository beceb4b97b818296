"""The normalized CRM event schema.

Every source (Saleor plugin hooks, Saleor webhooks, backfills, imports) turns
what it sees into one of these frozen dataclasses. The core folds only these;
it never sees Saleor's ORM objects or webhook payloads. Each event carries a
deterministic ``dedupe_key`` built from its kind, the entity id and the
entity's version (its ``updated_at`` in the source), so the same change
delivered twice, through two channels or by a retry, is stored once.
"""

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from ..error_codes import EventErrorCode
from .fields import (  # noqa: F401 - EMAIL_RE, InvalidEvent and normalize_email are part of the schema's API
    EMAIL_RE, MAX_BIGINT, MAX_QUANTITY, InvalidEvent, _amount, _country, _currency, _datetime, _flag, _line_amount,
    _object, _objects, _optional_int, _phone, _shown, _string, _text, _whole, normalize_email,
)
from .storable import storable_json

ORDER_KINDS = frozenset(
    "order." + name
    for name in (
        "created confirmed paid fully_paid updated cancelled fulfilled "
        "refunded fully_refunded expired"
    ).split()
)
CHECKOUT_KINDS = frozenset({"checkout.created", "checkout.updated", "checkout.fully_paid"})
CUSTOMER_KINDS = frozenset({"customer.created", "customer.updated", "customer.deleted"})
PRODUCT_KINDS = frozenset(
    {
        "product.created",
        "product.updated",
        "product.deleted",
        "product.variant_created",
        "product.variant_updated",
        "product.variant_deleted",
    }
)
def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json_safe(value):
    """Round-trip through JSON so Decimals and datetimes become strings."""
    return json.loads(json.dumps(value, default=_json_default))


def hash_key(*parts) -> str:
    # surrogatepass: an id with an unpaired surrogate (an untrusted payload's) still gets a key.
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()


# --- value objects -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Customer:
    """Who an event is about: a Saleor user id, an email, or both."""

    user_id: int | None = None
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    # Of the order's billing (else shipping) address, or the account's default address: what finds the
    # customer when they call.
    phone: str = ""
    # Set on events whose personal data was erased: they stay folded into the
    # anonymized profile they are linked to.
    erased: bool = False

    @classmethod
    def parse(cls, data: dict | None) -> "Customer":
        data = _object(data, "customer")
        if data.get("erased") is True:
            return cls(erased=True)
        email = data.get("email")
        if email is not None and not isinstance(email, str):
            raise InvalidEvent(EventErrorCode.INVALID_EMAIL, f"{_shown(email)} is not an email address.", "customer.email")
        email = normalize_email(email)
        if email is not None and (len(email) > 254 or not EMAIL_RE.match(email)):
            raise InvalidEvent(EventErrorCode.INVALID_EMAIL, f"{_shown(email)} is not an email address.", "customer.email")
        user_id = data.get("user_id")
        if user_id == "":
            user_id = None
        elif user_id is not None and (type(user_id) is not int or not 0 <= user_id <= MAX_BIGINT):
            user_id = _whole(user_id, "customer.user_id", EventErrorCode.INVALID, "an integer id", low=0, high=MAX_BIGINT)
        return cls(
            user_id=user_id,
            email=email,
            first_name=_string(data, "first_name", 256, "customer.first_name"),
            last_name=_string(data, "last_name", 256, "customer.last_name"),
            phone=_phone(data),
        )

    @property
    def known(self) -> bool:
        return self.erased or self.user_id is not None or self.email is not None


@dataclass(frozen=True, slots=True)
class Line:
    """One order or checkout line."""

    quantity: int
    product_id: int | None = None
    variant_id: str = ""
    product_name: str = ""
    variant_name: str = ""
    sku: str = ""
    category: str = ""
    unit_price: Decimal = Decimal(0)
    total_price: Decimal = Decimal(0)
    line_id: str = ""

    @classmethod
    def parse(cls, data: dict, index: int) -> "Line":
        # Hot path (every line of every order): checks are inlined and values
        # that already have the right type are taken as they are.
        if type(data) is not dict:
            data = _object(data, f"lines[{index}]")
        get = data.get
        quantity = get("quantity")
        if type(quantity) is not int or not 0 < quantity <= MAX_QUANTITY:
            quantity = _whole(
                quantity, f"lines[{index}].quantity", EventErrorCode.INVALID_QUANTITY, "a whole number",
                low=1, high=MAX_QUANTITY,
            )
        product_id = get("product_id")
        if product_id is not None and (type(product_id) is not int or not 0 <= product_id <= MAX_BIGINT):
            product_id = _whole(product_id, f"lines[{index}].product_id", EventErrorCode.INVALID, "an integer id",
                                low=0, high=MAX_BIGINT)
        variant_id, product_name, variant_name = get("variant_id"), get("product_name"), get("variant_name")
        sku, category, line_id = get("sku"), get("category"), get("line_id")
        if not (
            type(variant_id) is str and type(product_name) is str and type(variant_name) is str
            and type(sku) is str and type(category) is str and type(line_id) is str
            and len(variant_id) <= 64 and len(product_name) <= 386 and len(variant_name) <= 255
            and len(sku) <= 255 and len(category) <= 250 and len(line_id) <= 64
        ):  # a missing, non-text or over-long one: checked field by field (column lengths)
            variant_id, product_name, variant_name, sku, category, line_id = (
                _text(data, name, index, length) for name, length in LINE_TEXT_LENGTHS
            )
        return cls(
            quantity, product_id, variant_id, product_name, variant_name, sku, category,
            _line_amount(data, "unit_price", index), _line_amount(data, "total_price", index), line_id,
        )


LINE_TEXT_LENGTHS = (
    ("variant_id", 64), ("product_name", 386), ("variant_name", 255), ("sku", 255), ("category", 250), ("line_id", 64),
)


def _lines(data: dict) -> tuple[Line, ...]:
    items = data.get("lines")
    if items is None:
        return ()
    if not isinstance(items, list | tuple):
        raise InvalidEvent(EventErrorCode.INVALID, f"must be a list, not {type(items).__name__}.", "lines")
    return tuple(Line.parse(item if item is not None else {}, i) for i, item in enumerate(items))


# --- events ----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Base of all normalized events."""

    TYPE: ClassVar[str] = ""
    KINDS: ClassVar[frozenset] = frozenset()
    kind: str
    occurred_at: datetime

    @property
    def entity_id(self) -> str:
        raise NotImplementedError

    @property
    def version(self) -> str:
        return self.occurred_at.isoformat()

    @property
    def dedupe_key(self) -> str:
        return hash_key(self.kind, self.entity_id, self.version)

    def to_payload(self) -> dict:
        """The JSON document stored in the outbox (``CRMEvent.payload``)."""
        data = {name: _as_plain(getattr(self, name)) for name in _field_names(type(self))}
        data["type"] = self.TYPE
        return data


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _as_plain(value):
    """JSON-ready copy: dataclasses → dicts, Decimal → str, datetime → ISO 8601."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {name: _as_plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, (list, tuple)):
        return [_as_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_plain(v) for k, v in value.items()}
    return to_json_safe(value)


@dataclass(frozen=True)
class OrderEvent(Event):
    TYPE: ClassVar[str] = "order"
    KINDS: ClassVar[frozenset] = ORDER_KINDS
    order_id: str = ""
    customer: Customer = field(default_factory=Customer)
    currency: str = ""
    placed_at: datetime | None = None
    updated_at: datetime | None = None
    number: str = ""
    channel: str = ""
    status: str = ""
    total_gross: Decimal = Decimal(0)
    total_net: Decimal = Decimal(0)
    lines: tuple[Line, ...] = ()
    checkout_token: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 of the billing (else shipping) address

    @property
    def entity_id(self):
        return self.order_id

    @property
    def version(self):
        return self.updated_at.isoformat()

    @classmethod
    def parse(cls, data: dict) -> "OrderEvent":
        order_id = _string(data, "order_id", 64)
        if not order_id:
            raise InvalidEvent(EventErrorCode.INVALID, "is required.", "order_id")
        customer = Customer.parse(data.get("customer"))
        if not customer.known:
            raise InvalidEvent(
                EventErrorCode.MISSING_IDENTITY, "an order needs a user id or an email.", "customer"
            )
        placed_at = _datetime(data, "placed_at")
        return cls(
            kind=data["kind"],
            occurred_at=_datetime(data, "occurred_at"),
            order_id=order_id,
            customer=customer,
            currency=_currency(data),
            placed_at=placed_at,
            updated_at=_datetime(data, "updated_at", required=False) or placed_at,
            number=_string(data, "number", 64),
            channel=_string(data, "channel", 255),
            status=_string(data, "status", 32),
            total_gross=_amount(data, "total_gross"),
            total_net=_amount(data, "total_net"),
            lines=_lines(data),
            checkout_token=_string(data, "checkout_token", 64),
            country=_country(data),
        )


@dataclass(frozen=True)
class CheckoutEvent(Event):
    TYPE: ClassVar[str] = "checkout"
    KINDS: ClassVar[frozenset] = CHECKOUT_KINDS
    token: str = ""
    customer: Customer = field(default_factory=Customer)
    currency: str = ""
    updated_at: datetime | None = None
    started_at: datetime | None = None
    channel: str = ""
    total_gross: Decimal = Decimal(0)
    lines: tuple[Line, ...] = ()

    @property
    def entity_id(self):
        return self.token

    @property
    def version(self):
        return self.updated_at.isoformat()

    @classmethod
    def parse(cls, data: dict) -> "CheckoutEvent":
        token = _string(data, "token", 64)
        if not token:
            raise InvalidEvent(EventErrorCode.INVALID, "is required.", "token")
        updated_at = _datetime(data, "updated_at")
        return cls(
            kind=data["kind"],
            occurred_at=_datetime(data, "occurred_at"),
            token=token,
            # An anonymous cart is normal: it is kept, and attached to a
            # profile once the checkout gets an email or a user.
            customer=Customer.parse(data.get("customer")),
            currency=_currency(data),
            updated_at=updated_at,
            started_at=_datetime(data, "started_at", required=False) or updated_at,
            channel=_string(data, "channel", 255),
            total_gross=_amount(data, "total_gross"),
            lines=_lines(data),
        )


@dataclass(frozen=True)
class CustomerEvent(Event):
    TYPE: ClassVar[str] = "customer"
    KINDS: ClassVar[frozenset] = CUSTOMER_KINDS
    customer: Customer = field(default_factory=Customer)
    updated_at: datetime | None = None
    is_active: bool = True
    joined_at: datetime | None = None

    @property
    def entity_id(self):
        return self.customer.user_id

    @property
    def version(self):
        # A deletion happens once per account, whatever its timestamp says.
        return "deleted" if self.kind == "customer.deleted" else self.updated_at.isoformat()

    @classmethod
    def parse(cls, data: dict) -> "CustomerEvent":
        customer = Customer.parse(data.get("customer"))
        if customer.user_id is None and not customer.erased:
            raise InvalidEvent(
                EventErrorCode.MISSING_IDENTITY, "an account event needs the user id.", "customer.user_id"
            )
        occurred_at = _datetime(data, "occurred_at")
        return cls(
            kind=data["kind"],
            occurred_at=occurred_at,
            customer=customer,
            updated_at=_datetime(data, "updated_at", required=False) or occurred_at,
            is_active=_flag(data, "is_active", True),
            joined_at=_datetime(data, "joined_at", required=False),
        )


@dataclass(frozen=True)
class ProductEvent(Event):
    TYPE: ClassVar[str] = "product"
    KINDS: ClassVar[frozenset] = PRODUCT_KINDS
    product_id: int = 0
    updated_at: datetime | None = None
    name: str = ""
    slug: str = ""
    description_text: str = ""
    image_url: str = ""  # the product's first image, for emails
    category_id: int | None = None
    category: str = ""
    product_type: str = ""
    attributes: dict = field(default_factory=dict)
    channel_listings: tuple = ()
    variants: tuple = ()

    @property
    def entity_id(self):
        return self.product_id

    @property
    def version(self):
        return self.updated_at.isoformat()

    @classmethod
    def parse(cls, data: dict) -> "ProductEvent":
        product_id = _optional_int(data, "product_id")
        if product_id is None:
            raise InvalidEvent(EventErrorCode.INVALID, "is required.", "product_id")
        occurred_at = _datetime(data, "occurred_at")
        return cls(
            kind=data["kind"],
            occurred_at=occurred_at,
            product_id=product_id,
            updated_at=_datetime(data, "updated_at", required=False) or occurred_at,
            name=_string(data, "name", 250),
            slug=_string(data, "slug", 255),
            description_text=_string(data, "description_text"),
            image_url=_string(data, "image_url", 500),
            category_id=_optional_int(data, "category_id"),
            category=_string(data, "category", 250),
            product_type=_string(data, "product_type", 250),
            attributes=dict(_object(data.get("attributes"), "attributes")),
            channel_listings=_objects(data, "channel_listings"),
            variants=_objects(data, "variants"),
        )


EVENT_TYPES = {cls.TYPE: cls for cls in (OrderEvent, CheckoutEvent, CustomerEvent, ProductEvent)}


def parse_event(payload: dict) -> Event:
    """Validate an outbox payload and return its typed event.

    Raises ``InvalidEvent`` with a code and the offending field.
    """
    if not isinstance(payload, dict):
        raise InvalidEvent(EventErrorCode.INVALID, "must be a JSON object.", "payload")
    type_, kind = payload.get("type"), payload.get("kind")
    # Only strings are looked up: a list or an object is unhashable.
    event_cls = EVENT_TYPES.get(type_) if isinstance(type_, str) else None
    if event_cls is None or not isinstance(kind, str) or kind not in event_cls.KINDS:
        raise InvalidEvent(
            EventErrorCode.UNKNOWN_KIND, f"unknown event {_shown(type_)}/{_shown(kind)}.", "kind"
        )
    return event_cls.parse(payload)


def payload_dedupe_key(payload: dict) -> str:
    """Dedupe key of a payload, valid or not (invalid ones hash their content)."""
    try:
        return parse_event(payload).dedupe_key
    except InvalidEvent:
        pass
    try:
        text = json.dumps(payload, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):  # mixed key types, huge ints, deep nesting
        text = storable_json(payload)[0]
    return hash_key("invalid", text)

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
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from ..error_codes import EventErrorCode
from ..errors import CRMError
from .currencies import ISO_4217

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
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidEvent(CRMError):
    """An event that cannot be folded; ``code`` is an ``EventErrorCode``."""


def normalize_email(value) -> str | None:
    """Lower-case and trim an email; ``None`` for blanks."""
    if value is None:
        return None
    value = str(value).strip().lower()
    return value or None


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
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


# --- field parsers: each raises InvalidEvent naming the field -----------------


def _datetime(data: dict, name: str, required: bool = True) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise InvalidEvent(EventErrorCode.INVALID_DATE, "is required.", name)
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidEvent(
                EventErrorCode.INVALID_DATE, f"{value!r} is not an ISO 8601 date-time.", name
            ) from None
    if parsed.tzinfo is None:
        raise InvalidEvent(EventErrorCode.INVALID_DATE, "must carry a time zone.", name)
    return parsed


def _amount(data: dict, name: str) -> Decimal:
    value = data.get(name, "0")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidEvent(EventErrorCode.INVALID_AMOUNT, f"{value!r} is not a number.", name) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidEvent(EventErrorCode.INVALID_AMOUNT, f"{value} must be zero or more.", name)
    return amount


def _currency(data: dict, name: str = "currency") -> str:
    value = str(data.get(name) or "").upper()
    if value not in ISO_4217:
        raise InvalidEvent(
            EventErrorCode.UNKNOWN_CURRENCY, f"{data.get(name)!r} is not an ISO 4217 currency.", name
        )
    return value


def _optional_int(data: dict, name: str) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidEvent(EventErrorCode.INVALID, f"{value!r} is not an integer id.", name) from None


# --- value objects -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Customer:
    """Who an event is about: a Saleor user id, an email, or both."""

    user_id: int | None = None
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    # Set on events whose personal data was erased: they stay folded into the
    # anonymized profile they are linked to.
    erased: bool = False

    @classmethod
    def parse(cls, data: dict | None) -> "Customer":
        data = data or {}
        if data.get("erased"):
            return cls(erased=True)
        email = normalize_email(data.get("email"))
        if email is not None and not EMAIL_RE.match(email):
            raise InvalidEvent(EventErrorCode.INVALID_EMAIL, f"{email!r} is not an email address.", "customer.email")
        return cls(
            user_id=_optional_int(data, "user_id"),
            email=email,
            first_name=str(data.get("first_name") or ""),
            last_name=str(data.get("last_name") or ""),
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
        get = data.get
        quantity = get("quantity")
        if type(quantity) is not int:
            try:
                quantity = int(quantity)
            except (TypeError, ValueError):
                raise InvalidEvent(
                    EventErrorCode.INVALID_QUANTITY, f"{get('quantity')!r} is not a whole number.",
                    f"lines[{index}].quantity",
                ) from None
        if quantity <= 0:
            raise InvalidEvent(
                EventErrorCode.INVALID_QUANTITY, f"{quantity} must be at least 1.", f"lines[{index}].quantity"
            )
        product_id = get("product_id")
        if product_id is not None and type(product_id) is not int:
            product_id = _optional_int(data, "product_id")
        return cls(
            quantity, product_id, _text(get("variant_id")), _text(get("product_name")),
            _text(get("variant_name")), _text(get("sku")), _text(get("category")),
            _line_amount(data, "unit_price", index), _line_amount(data, "total_price", index),
            _text(get("line_id")),
        )


def _text(value) -> str:
    return value if type(value) is str else str(value or "")


def _line_amount(data: dict, name: str, index: int) -> Decimal:
    value = data.get(name)
    if value is None:
        return ZERO
    try:
        amount = Decimal(value if type(value) is str else str(value))
    except (InvalidOperation, ValueError):
        raise InvalidEvent(EventErrorCode.INVALID_AMOUNT, f"{value!r} is not a number.", f"lines[{index}].{name}") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidEvent(EventErrorCode.INVALID_AMOUNT, f"{value} must be zero or more.", f"lines[{index}].{name}")
    return amount


ZERO = Decimal(0)


def _lines(data: dict) -> tuple[Line, ...]:
    return tuple(Line.parse(item or {}, i) for i, item in enumerate(data.get("lines") or []))


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
        order_id = str(data.get("order_id") or "")
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
            number=str(data.get("number") or ""),
            channel=str(data.get("channel") or ""),
            status=str(data.get("status") or ""),
            total_gross=_amount(data, "total_gross"),
            total_net=_amount(data, "total_net"),
            lines=_lines(data),
            checkout_token=str(data.get("checkout_token") or ""),
            country=_country(data),
        )


def _country(data: dict) -> str:
    value = str(data.get("country") or "").strip().upper()
    if value and not (len(value) == 2 and value.isalpha() and value.isascii()):
        raise InvalidEvent(EventErrorCode.INVALID, f"{value!r} is not an ISO 3166 country code.", "country")
    return value


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
        token = str(data.get("token") or "")
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
            channel=str(data.get("channel") or ""),
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
            is_active=bool(data.get("is_active", True)),
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
            name=str(data.get("name") or ""),
            slug=str(data.get("slug") or ""),
            description_text=str(data.get("description_text") or ""),
            category_id=_optional_int(data, "category_id"),
            category=str(data.get("category") or ""),
            product_type=str(data.get("product_type") or ""),
            attributes=dict(data.get("attributes") or {}),
            channel_listings=tuple(data.get("channel_listings") or ()),
            variants=tuple(data.get("variants") or ()),
        )


EVENT_TYPES = {cls.TYPE: cls for cls in (OrderEvent, CheckoutEvent, CustomerEvent, ProductEvent)}


def parse_event(payload: dict) -> Event:
    """Validate an outbox payload and return its typed event.

    Raises ``InvalidEvent`` with a code and the offending field.
    """
    if not isinstance(payload, dict):
        raise InvalidEvent(EventErrorCode.INVALID, "must be a JSON object.", "payload")
    event_cls = EVENT_TYPES.get(payload.get("type"))
    kind = payload.get("kind")
    if event_cls is None or kind not in event_cls.KINDS:
        raise InvalidEvent(
            EventErrorCode.UNKNOWN_KIND, f"unknown event {payload.get('type')!r}/{kind!r}.", "kind"
        )
    return event_cls.parse(payload)


def payload_dedupe_key(payload: dict) -> str:
    """Dedupe key of a payload, valid or not (invalid ones hash their content)."""
    try:
        return parse_event(payload).dedupe_key
    except InvalidEvent:
        return hash_key("invalid", json.dumps(payload, sort_keys=True, default=str))

"""Field parsers of the normalized event schema (``schema``).

Each takes a decoded JSON value from an untrusted payload and returns the
typed value or raises ``InvalidEvent`` with a code and the field's path;
nothing else escapes, whatever the value (a list where text belongs, NaN, a
5,000-digit integer, a date that overflows in UTC).
"""

import re
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation

from ..date_range import EARLIEST_SECONDS, SLACK_SECONDS, out_of_range
from ..error_codes import EventErrorCode
from ..errors import CRMError
from .currencies import ISO_4217

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CHANNEL_RE = re.compile(r"[A-Za-z0-9_-]{1,255}")  # a Saleor channel slug
# What the fact tables can hold: amounts are numeric(20, 3), ids bigint,
# quantities integer. A larger value is refused here with its code rather
# than failing the fold's INSERT (which would set the whole row aside as a
# fold error).
MAX_AMOUNT = Decimal(10) ** 17
MILLI = Decimal("0.001")
MAX_BIGINT = 2**63 - 1
MAX_QUANTITY = 2**31 - 1


class InvalidEvent(CRMError):
    """An event that cannot be folded; ``code`` is an ``EventErrorCode``."""


def normalize_email(value) -> str | None:
    """Lower-case and trim an email; ``None`` for blanks."""
    if value is None:
        return None
    value = str(value).strip().lower()
    return value or None


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
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise InvalidEvent(
                EventErrorCode.INVALID_DATE, f"{_shown(value)} is not an ISO 8601 date-time.", name
            ) from None
    if parsed.tzinfo is None:
        raise InvalidEvent(EventErrorCode.INVALID_DATE, "must carry a time zone.", name)
    # The range check inlined (every date of every event); out_of_range says why.
    if not EARLIEST_SECONDS <= parsed.timestamp() <= time.time() + SLACK_SECONDS:
        raise InvalidEvent(EventErrorCode.INVALID_DATE, f"{value!s} {out_of_range(parsed)}", name)
    return parsed


def _amount(data: dict, name: str) -> Decimal:
    return _decimal(data.get(name, "0"), name)


def _decimal(value, name: str) -> Decimal:
    """A money amount: a finite number from zero up to what the fact tables hold."""
    if value is None:
        return ZERO
    try:
        # bool is an int to Python, not an amount to anyone.
        if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            raise ValueError
        amount = Decimal(value if type(value) is str else str(value))
    except (InvalidOperation, ValueError):  # str() of a huge int raises ValueError too
        raise InvalidEvent(EventErrorCode.INVALID_AMOUNT, f"{_shown(value)} is not a number.", name) from None
    # Stored rounded to 3 places: 99999999999999999.9999 would round up past the column.
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT or amount.quantize(MILLI) >= MAX_AMOUNT:
        raise InvalidEvent(
            EventErrorCode.INVALID_AMOUNT, f"{_shown(value)} must be a number from 0 to below {MAX_AMOUNT:,}.", name
        )
    return amount


def _currency(data: dict, name: str = "currency") -> str:
    value = data.get(name)
    code = value.upper() if isinstance(value, str) else ""
    if code not in ISO_4217:
        raise InvalidEvent(
            EventErrorCode.UNKNOWN_CURRENCY, f"{_shown(value)} is not an ISO 4217 currency.", name
        )
    value = code
    return value


def _optional_int(data: dict, name: str) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    return _whole(value, name, EventErrorCode.INVALID, "an integer id", low=-MAX_BIGINT - 1, high=MAX_BIGINT)


def _whole(value, name: str, code: EventErrorCode, what: str, *, low: int, high: int) -> int:
    """A whole number in ``low..high``: ``3``, ``3.0`` or ``"3"``, never ``1.5`` truncated to 1 (nor ``True``)."""
    number = None
    if type(value) is int:
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None:
        raise InvalidEvent(code, f"{_shown(value)} is not {what}.", name)
    if number < low:
        raise InvalidEvent(code, f"{number} must be at least {low}.", name)
    if number > high:
        raise InvalidEvent(code, f"{_shown(value)} must be at most {high}.", name)
    return number


def _shown(value) -> str:
    """A short ``repr`` for error messages, whatever the value (a huge int's repr raises)."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 80 else text[:77] + "..."


def _object(value, name: str) -> dict:
    """A JSON object (``None`` counts as an empty one)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidEvent(EventErrorCode.INVALID, f"must be an object, not {type(value).__name__}.", name)
    return value


def _text(data: dict, name: str, index: int, max_length: int) -> str:
    value = data.get(name)
    if type(value) is str and len(value) <= max_length:
        return value
    return _string(data, name, max_length, f"lines[{index}].{name}")


def _string(data: dict, name: str, max_length: int | None = None, field: str | None = None) -> str:
    """Text of at most ``max_length`` characters (the column's); an id may come as a number."""
    value = data.get(name)
    if type(value) is str and (max_length is None or len(value) <= max_length):
        return value  # the common case first: this runs for every text field of every event
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 10**18:
        value = str(value)
    if not isinstance(value, str):
        raise InvalidEvent(EventErrorCode.INVALID, f"{_shown(value)} is not text.", field or name)
    if max_length is not None and len(value) > max_length:
        raise InvalidEvent(EventErrorCode.INVALID, f"is longer than {max_length} characters.", field or name)
    return value


def _line_amount(data: dict, name: str, index: int) -> Decimal:
    value = data.get(name)
    if value is None:
        return ZERO
    if type(value) is str and len(value) < 20:  # the common case, one Decimal() and no checks below the cap
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if amount is not None and amount.is_finite() and 0 <= amount < MAX_AMOUNT:
            return amount
    return _decimal(value, f"lines[{index}].{name}")


ZERO = Decimal(0)


def _country(data: dict) -> str:
    value = _string(data, "country", 8).strip().upper()
    if value and not (len(value) == 2 and value.isalpha() and value.isascii()):
        raise InvalidEvent(EventErrorCode.INVALID, f"{_shown(value)} is not an ISO 3166 country code.", "country")
    return value


PHONE_SEPARATORS = str.maketrans("", "", " -.()/\u00a0")


def normalize_phone(value: str | None) -> str:
    """A phone number as digits with an optional leading ``+`` (Saleor keeps E.164: ``+48601234567``); spaces,
    dashes, dots and brackets dropped; "" for none."""
    return (value or "").strip().translate(PHONE_SEPARATORS)


def _phone(data: dict, field: str = "customer.phone") -> str:
    value = normalize_phone(_string(data, "phone", 32, field))
    digits = value[1:] if value.startswith("+") else value
    if value and not (digits.isdigit() and digits.isascii() and 4 <= len(digits) <= 20):
        raise InvalidEvent(EventErrorCode.INVALID, f"{_shown(value)} is not a phone number.", field)
    return value


def _objects(data: dict, name: str) -> tuple[dict, ...]:
    items = data.get(name)
    if items is None:
        return ()
    if not isinstance(items, list | tuple):
        raise InvalidEvent(EventErrorCode.INVALID, f"must be a list, not {type(items).__name__}.", name)
    return tuple(_object(item, f"{name}[{i}]") for i, item in enumerate(items))


def _flag(data: dict, name: str, default: bool) -> bool:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):  # "false" would be truthy
        raise InvalidEvent(EventErrorCode.INVALID, f"{_shown(value)} is not true or false.", name)
    return value

"""Amounts as a shop shows them: rounded to the currency's minor unit (2 for USD, 0 for JPY, 3 for KWD)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision


@lru_cache(maxsize=256)
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-get_currency_precision(currency or ""))


def round_money(amount, currency: str) -> Decimal:
    """``amount`` rounded half-up to ``currency``'s precision (CLDR data, as Saleor's prices use)."""
    try:
        value = Decimal(str(amount if amount is not None else 0))
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite():
        return Decimal(0)
    return value.quantize(_quantum((currency or "").upper()), rounding=ROUND_HALF_UP)

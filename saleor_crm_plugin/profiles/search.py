"""Finding a customer from what they say on the phone or in a mail: part of their email, name or phone, or an
order number.

Email, names and phone are one text (``SEARCH_TEXT``) under a trigram index (``crm_profile_search_trgm_idx``,
pg_trgm, migration 0018): ``ILIKE '%fragment%'`` is answered from the index, not by reading every profile.
An order number (``21`` or ``#21``) is looked up exactly through ``crm_order_number_idx``. A fragment of
under three characters has no trigram to look up: only an order number is searched for then, and other
short text is refused (``MIN_LENGTH``) rather than read from every profile.
"""

import re

from django.db.models import Q
from django.db.models.expressions import RawSQL

from ..error_codes import ProfileErrorCode
from ..errors import CRMError
from ..normalized.fields import normalize_phone

# The indexed expression, exactly as migration 0018 wrote it (else the planner cannot use the index).
SEARCH_TEXT = "(COALESCE(email, '') || ' ' || first_name || ' ' || last_name || ' ' || phone)"
MIN_LENGTH = 3  # pg_trgm's trigrams: a shorter fragment has none to look up
MAX_LENGTH = 100
ORDER_NUMBER_RE = re.compile(r"#?\s*(\d{1,20})")
PHONE_RE = re.compile(r"\+?[\d\s\-.()/]{4,40}")


def _like(fragment: str) -> str:
    """``%fragment%`` with LIKE's own characters taken literally."""
    return "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_condition(term: str) -> Q:
    """The profiles ``term`` finds (email, name, phone or order number) as a condition on
    ``CustomerProfile``; a ``CRMError`` (``too_short``, ``too_long``) for a term no index can answer.

    The ids come from one ``UNION`` of index lookups (order number, text fragments): an ``OR`` of an
    ``IN (orders)`` and an ``ILIKE`` would make PostgreSQL read every profile instead.
    """
    term = " ".join((term or "").split())
    if len(term) > MAX_LENGTH:
        raise CRMError(ProfileErrorCode.TOO_LONG, f"Search for at most {MAX_LENGTH} characters.", "search")
    parts, params = [], []
    number = ORDER_NUMBER_RE.fullmatch(term)
    if number:
        parts.append("SELECT profile_id FROM crm_order WHERE number = %s")
        params.append(number.group(1))
    if len(term) < MIN_LENGTH or term.startswith("#"):
        if number:  # "#21", "21": an order number, nothing else
            return Q(pk__in=RawSQL(parts[0], params))
        raise CRMError(ProfileErrorCode.TOO_SHORT, f"Type at least {MIN_LENGTH} characters.", "search")
    fragments = {term}
    if PHONE_RE.fullmatch(term):  # "601 234 567" finds +48601234567
        phone = normalize_phone(term).lstrip("+")
        if len(phone) >= MIN_LENGTH:
            fragments.add(phone)
    for fragment in sorted(fragments):
        parts.append(f"SELECT id FROM crm_customer_profile WHERE {SEARCH_TEXT} ILIKE %s")  # noqa: S608 - ours
        params.append(_like(fragment))
    return Q(pk__in=RawSQL(" UNION ".join(parts), params))

import graphene

from ...campaigns.suppression import suppress
from ...models import SuppressionReason
from ..errors import APIError, CRMErrorCode
from ..permissions import require_staff
from ..suppressions import CRMSuppression
from .base import CRMMutation

MAX_NOTE = 2000


class CRMSuppressionAdd(CRMMutation):
    """Never send marketing mail to an address (reason MANUAL), e.g. asked by phone. Requires MANAGE_USERS."""

    class Arguments:
        email = graphene.String(required=True)
        note = graphene.String(description="Why, for the record.")

    suppression = graphene.Field(CRMSuppression)

    @classmethod
    def perform(cls, info, email, note=None):
        staff = require_staff(info)
        note = (note or "").strip()
        if len(note) > MAX_NOTE:
            raise APIError(CRMErrorCode.INVALID.value, f"A note holds at most {MAX_NOTE} characters.", "note")
        detail = f"{note} (by {staff.email})" if note and staff.email else note or f"by {staff.email or 'staff'}"
        return cls(suppression=suppress(email, SuppressionReason.MANUAL, detail), errors=[])

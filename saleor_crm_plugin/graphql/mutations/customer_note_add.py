import graphene

from ...models import CustomerNote
from ..errors import APIError, CRMErrorCode
from ..permissions import require_staff
from ..types import CRMCustomer, CRMCustomerNote
from .base import CRMMutation, customer_from_id

MAX_NOTE = 5000


class CRMCustomerNoteAdd(CRMMutation):
    """Add a staff note to a customer. Requires MANAGE_USERS."""

    class Arguments:
        customer = graphene.ID(required=True, description="CRMCustomer or Saleor User ID.")
        note = graphene.String(required=True)

    customer = graphene.Field(CRMCustomer)
    note = graphene.Field(CRMCustomerNote)

    @classmethod
    def perform(cls, info, customer, note):
        staff = require_staff(info)
        text = (note or "").strip()
        if not text:
            raise APIError(CRMErrorCode.REQUIRED.value, "The note is empty.", "note")
        if len(text) > MAX_NOTE:
            raise APIError(CRMErrorCode.INVALID.value, f"A note holds at most {MAX_NOTE} characters.", "note")
        profile = customer_from_id(customer)
        created = CustomerNote.objects.create(profile=profile, text=text, author_email=staff.email or "")
        return cls(customer=profile, note=created, errors=[])

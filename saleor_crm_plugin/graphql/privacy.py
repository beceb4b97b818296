"""Staff access to the GDPR services: the customer export query, and finding the customer to erase or export."""

import graphene

from ..models import CustomerProfile
from ..profiles.export import export_customer
from .customers import customer_by_id, customer_by_id_or_email
from .errors import APIError, CRMErrorCode
from .permissions import require_staff
from .inputs import JSONString


def customer_named(id_value, email, id_field: str) -> CustomerProfile:
    """The (not erased) customer of exactly one of a CRMCustomer/User ID and an email; ``NOT_FOUND`` if none."""
    if (id_value is None) == (email is None):
        raise APIError(CRMErrorCode.REQUIRED.value, f"Give either {id_field} or email.", id_field)
    if email is not None:
        profile, field = customer_by_id_or_email(None, email), "email"
    else:
        profile, field = customer_by_id(id_value, id_field), id_field
    if profile is None:
        raise APIError(CRMErrorCode.NOT_FOUND.value, "No such customer.", field)
    return profile


class PrivacyQuery(graphene.ObjectType):
    crm_customer_export = graphene.Field(
        JSONString, required=True,
        id=graphene.ID(description="CRMCustomer or Saleor User ID."), email=graphene.String(),
        description="Everything the CRM stores about one customer, as JSON (one key per table; GDPR article 15). "
                    "Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_customer_export(root, info, id=None, email=None):
        require_staff(info)
        profile = customer_named(id, email, "id")
        return export_customer(user_id=profile.user_id, email=profile.email)

"""Staff: the suppression list (addresses that never get marketing mail). Requires MANAGE_USERS."""

import graphene

from ..models import Suppression, SuppressionReason
from ..models.consent import email_hash
from .pagination import connection, paginate
from .permissions import require_staff

CRMSuppressionReason = graphene.Enum(
    "CRMSuppressionReason", [(value.upper(), value) for value in SuppressionReason.values],
    description="Why an address gets no marketing mail.")


class CRMSuppression(graphene.ObjectType):
    """An address that never gets marketing mail, whatever its consent."""

    email = graphene.String(description="Null for an erased customer's address (only its hash is kept).")
    reason = CRMSuppressionReason(required=True)
    detail = graphene.String(required=True, description="The provider's report, or staff's note.")
    created_at = graphene.DateTime(required=True)


CRMSuppressionConnection = connection(CRMSuppression, "CRMSuppressionCountable")


class SuppressionQuery(graphene.ObjectType):
    crm_suppressions = graphene.Field(
        CRMSuppressionConnection, required=True, first=graphene.Int(), after=graphene.String(),
        reason=CRMSuppressionReason(), email=graphene.String(description="Only this address."),
        description="The suppression list, newest first. Requires MANAGE_USERS.")

    @staticmethod
    def resolve_crm_suppressions(root, info, first=None, after=None, reason=None, email=None):
        require_staff(info)
        rows = Suppression.objects.order_by("-created_at", "-pk")
        if reason is not None:
            rows = rows.filter(reason=reason)
        if email is not None:
            rows = rows.filter(email_hash=email_hash(email))
        return paginate(rows, first, after)

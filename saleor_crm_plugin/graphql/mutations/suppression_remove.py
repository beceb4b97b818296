import graphene

from ...campaigns.suppression import lift
from ..permissions import require_staff
from .base import CRMMutation


class CRMSuppressionRemove(CRMMutation):
    """Let marketing mail reach an address again (consent still decides). A complaint or an erased
    customer's address cannot be removed (``INVALID_STATE``). Requires MANAGE_USERS."""

    class Arguments:
        email = graphene.String(required=True)

    removed = graphene.Boolean(description="False when the address was not on the list.")

    @classmethod
    def perform(cls, info, email):
        require_staff(info)
        return cls(removed=lift(email), errors=[])

import graphene

from ...campaigns.campaigns import delete_template
from ..campaign_types import template_pk
from ..permissions import require_staff
from .base import CRMMutation


class CRMEmailTemplateDelete(CRMMutation):
    """Delete an email template no campaign uses. Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform(cls, info, id):
        require_staff(info)
        delete_template(template_pk(id))
        return cls(deleted_id=id, errors=[])

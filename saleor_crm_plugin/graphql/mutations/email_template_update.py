import graphene

from ...campaigns.campaigns import update_template
from ..campaign_inputs import CRMEmailTemplateInput, template_fields
from ..campaign_types import CRMEmailTemplate, template_pk
from ..permissions import require_staff
from .base import CRMMutation


class CRMEmailTemplateUpdate(CRMMutation):
    """Change an email template's fields (those given); a campaign already sending keeps what it compiled.
    Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CRMEmailTemplateInput(required=True)

    email_template = graphene.Field(CRMEmailTemplate)

    @classmethod
    def perform(cls, info, id, input):
        require_staff(info)
        return cls(email_template=update_template(template_pk(id), **template_fields(input)), errors=[])

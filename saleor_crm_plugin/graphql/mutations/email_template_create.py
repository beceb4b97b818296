import graphene

from ...campaigns.campaigns import create_template
from ..campaign_inputs import CRMEmailTemplateInput, template_fields
from ..campaign_types import CRMEmailTemplate
from ..permissions import require_staff
from .base import CRMMutation


class CRMEmailTemplateCreate(CRMMutation):
    """Save an email template; its sources are compiled first (a syntax error comes back with its line).
    Requires MANAGE_USERS."""

    class Arguments:
        input = CRMEmailTemplateInput(required=True)

    email_template = graphene.Field(CRMEmailTemplate)

    @classmethod
    def perform(cls, info, input):
        require_staff(info)
        return cls(email_template=create_template(**template_fields(input)), errors=[])

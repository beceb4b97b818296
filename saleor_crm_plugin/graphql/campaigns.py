"""Staff queries for email templates, campaigns and previews (MANAGE_USERS)."""

import graphene

from ..campaigns.previews import preview
from ..models import Campaign, EmailTemplate
from .campaign_inputs import CRMEmailTemplateInput, customer_pk, template_sources
from .campaign_types import (
    CRMCampaign, CRMCampaignConnection, CRMCampaignState, CRMEmailTemplate, CRMEmailTemplateConnection,
    CRMRenderedMail, campaign_pk, template_pk,
)
from .pagination import paginate
from .permissions import require_staff


class CampaignQuery(graphene.ObjectType):
    crm_email_templates = graphene.Field(
        CRMEmailTemplateConnection, required=True, first=graphene.Int(), after=graphene.String(),
        description="Email templates, by name. Requires MANAGE_USERS.")
    crm_email_template = graphene.Field(CRMEmailTemplate, id=graphene.ID(required=True),
                                        description="One email template. Requires MANAGE_USERS.")
    crm_email_template_preview = graphene.Field(
        CRMRenderedMail, required=True, channel=graphene.String(required=True),
        template_id=graphene.ID(description="A saved template…"),
        input=CRMEmailTemplateInput(description="…or sources not saved yet (subject and body required)."),
        customer_id=graphene.ID(description="The customer to render for (CRMCustomer or Saleor User ID)."),
        description="A template rendered for one customer in one channel. Requires MANAGE_USERS.")
    crm_campaigns = graphene.Field(
        CRMCampaignConnection, required=True, first=graphene.Int(), after=graphene.String(),
        state=CRMCampaignState(), description="Campaigns, newest first. Requires MANAGE_USERS.")
    crm_campaign = graphene.Field(CRMCampaign, id=graphene.ID(required=True),
                                  description="One campaign. Requires MANAGE_USERS.")

    @staticmethod
    def resolve_crm_email_templates(root, info, first=None, after=None):
        require_staff(info)
        return paginate(EmailTemplate.objects.order_by("name", "pk"), first, after)

    @staticmethod
    def resolve_crm_email_template(root, info, id):
        require_staff(info)
        return EmailTemplate.objects.filter(pk=template_pk(id)).first()

    @staticmethod
    def resolve_crm_email_template_preview(root, info, channel, template_id=None, input=None, customer_id=None):
        require_staff(info)
        template = template_sources(template_id, input)
        profile_id = customer_pk(customer_id) if customer_id is not None else None
        mail = preview(template=template, profile_id=profile_id, channel=channel)
        return CRMRenderedMail(subject=mail.subject, html=mail.html, text=mail.text)

    @staticmethod
    def resolve_crm_campaigns(root, info, first=None, after=None, state=None):
        require_staff(info)
        campaigns = Campaign.objects.select_related("template").order_by("-created_at", "-pk")
        if state is not None:
            campaigns = campaigns.filter(state=state)
        return paginate(campaigns, first, after)

    @staticmethod
    def resolve_crm_campaign(root, info, id):
        require_staff(info)
        return Campaign.objects.select_related("template").filter(pk=campaign_pk(id)).first()


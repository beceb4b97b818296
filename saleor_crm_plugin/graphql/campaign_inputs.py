"""Inputs of the template and campaign mutations, and their translation into the services' arguments.

One input type serves create and update: on update only the fields given
change; on create the services refuse a missing required one with
``REQUIRED`` (or ``NOT_FOUND``/``INVALID_SEGMENT`` for the template and
segments), so the rules live in one place.
"""

import graphene

from ..campaigns.campaigns import MAX_HOLDOUT_PERCENT, MAX_SEGMENTS
from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..models import EmailTemplate
from .campaign_types import CRMEmailTemplateFormat, template_pk
from .customers import customer_by_id
from .errors import APIError, CRMErrorCode
from .ids import decode_id

TEMPLATE_FIELDS = ("name", "subject", "preheader", "body_format", "body", "text")
CAMPAIGN_TEXT_FIELDS = ("name", "channel", "from_name", "from_email", "reply_to")
CAMPAIGN_NUMBER_FIELDS = ("holdout_percent", "audience_top_percent")


class CRMEmailTemplateInput(graphene.InputObjectType):
    name = graphene.String(description="At most 120 characters, unique. Required on create.")
    subject = graphene.String(description="Handlebars. Required on create.")
    preheader = graphene.String(description="Handlebars; the line mail apps show after the subject.")
    body_format = CRMEmailTemplateFormat(description="Default MJML.")
    body = graphene.String(description="Handlebars in MJML or HTML. Required on create.")
    text = graphene.String(description="Handlebars for the text part; empty: derived from the HTML.")


class CRMCampaignInput(graphene.InputObjectType):
    name = graphene.String(description="At most 120 characters. Required on create.")
    template_id = graphene.ID(description="The CRMEmailTemplate. Required on create.")
    channel = graphene.String(description="The Saleor channel slug: consent, products and prices are this "
                                          "channel's. Required on create.")
    segment_ids = graphene.List(graphene.NonNull(graphene.ID), description=(
        f"CRMSegment IDs whose members receive the mail (1 to {MAX_SEGMENTS}). Required on create."))
    exclude_segment_ids = graphene.List(graphene.NonNull(graphene.ID), description=(
        f"CRMSegment IDs whose members are left out (at most {MAX_SEGMENTS})."))
    from_name = graphene.String(description="Empty: the configured sender name.")
    from_email = graphene.String(description="Empty: the configured sender address.")
    reply_to = graphene.String()
    holdout_percent = graphene.Int(description=(
        f"Share of the eligible audience (0 to {MAX_HOLDOUT_PERCENT}) kept back at random and never mailed, to "
        "measure the campaign's lift; 10 is a good start. Default 0: no holdout."))
    audience_top_percent = graphene.Int(description=(
        "Send only to this share (1 to 100) of the eligible audience most likely to respond (the customers' "
        "response propensity); null: everyone."))


def template_fields(input) -> dict:
    """The fields given in a ``CRMEmailTemplateInput``, as ``create_template``/``update_template`` take them."""
    fields = {name: input[name] for name in TEMPLATE_FIELDS if name in input}
    if fields.get("body_format", "") is None:
        del fields["body_format"]  # null: the default (create) or unchanged (update)
    return fields


def campaign_fields(input) -> dict:
    """The fields given in a ``CRMCampaignInput``, as ``create_campaign``/``update_campaign`` take them."""
    fields = {name: input[name] for name in CAMPAIGN_TEXT_FIELDS + CAMPAIGN_NUMBER_FIELDS if name in input}
    for name in ("from_name", "from_email", "reply_to"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    if "template_id" in input:
        fields["template_id"] = None if input["template_id"] is None else template_pk(input["template_id"],
                                                                                        "templateId")
    for name, field in (("segment_ids", "segmentIds"), ("exclude_segment_ids", "excludeSegmentIds")):
        if name in input:
            fields[name] = segment_pks(input[name], field)
    return fields


def segment_pks(ids, field: str) -> list[int]:
    """CRMSegment IDs as primary keys; more than ``MAX_SEGMENTS`` is refused before any is decoded."""
    ids = ids or []
    if len(ids) > MAX_SEGMENTS:
        raise CRMError(CampaignErrorCode.INVALID_SEGMENT, f"At most {MAX_SEGMENTS} segments.", field)
    return [decode_id(value, "CRMSegment", field) for value in ids]


def template_sources(template_id, input) -> EmailTemplate | dict:
    """A saved template (by ``template_id``) or unsaved sources (``input``) for a preview; exactly one."""
    if (template_id is None) == (input is None):
        raise APIError(CRMErrorCode.REQUIRED.value, "Give either templateId or input.", "templateId")
    if input is not None:
        fields = template_fields(input)
        return {"subject": fields.get("subject") or "", "preheader": fields.get("preheader") or "",
                "body_format": fields.get("body_format") or EmailTemplate.Format.MJML,
                "body": fields.get("body") or "", "text": fields.get("text") or ""}
    template = EmailTemplate.objects.filter(pk=template_pk(template_id, "templateId")).first()
    if template is None:
        raise APIError(CRMErrorCode.NOT_FOUND.value, "No such template.", "templateId")
    return template


def customer_pk(value, field: str = "customerId") -> int:
    """The primary key of a (not erased) customer by CRMCustomer or Saleor User ID; ``NOT_FOUND`` otherwise."""
    profile = customer_by_id(value, field)
    if profile is None:
        raise APIError(CRMErrorCode.NOT_FOUND.value, "No such customer.", field)
    return profile.pk

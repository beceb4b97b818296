"""Staff queries for segments, previews and reports (MANAGE_USERS)."""

import graphene

from ..models import CustomerProfile, Segment
from ..segments.membership import preview
from ..reports.cohorts import repeat_purchase_rate
from ..segments.rules import SegmentRuleError
from .insight_types import CRMReport, CRMSegment, CRMSegmentPreview
from .errors import APIError
from .ids import decode_id
from .permissions import require_staff
from .inputs import JSONString


def rule_error(error: SegmentRuleError) -> APIError:
    field = f"rules.{error.field}" if error.field and error.field not in ("name", "id") else (error.field or "rules")
    return APIError(error.code.value, error.message, field)


class SegmentQuery(graphene.ObjectType):
    crm_segments = graphene.List(graphene.NonNull(CRMSegment), required=True,
                                 description="Saved segments, predefined RFM groups included. Requires MANAGE_USERS.")
    crm_segment = graphene.Field(CRMSegment, id=graphene.ID(required=True))
    crm_segment_preview = graphene.Field(
        CRMSegmentPreview, required=True, rules=JSONString(required=True),
        description="How many customers a rule matches, and a sample, without saving it.",
    )
    crm_report = graphene.Field(CRMReport, required=True, description="Cohorts, repeat rate, RFM groups, segments.")

    @staticmethod
    def resolve_crm_segments(root, info):
        require_staff(info)
        return list(Segment.objects.order_by("-is_predefined", "name"))

    @staticmethod
    def resolve_crm_segment(root, info, id):
        require_staff(info)
        return Segment.objects.filter(pk=decode_id(id, "CRMSegment", "id")).first()

    @staticmethod
    def resolve_crm_segment_preview(root, info, rules):
        require_staff(info)
        try:
            result = preview(rules)
        except SegmentRuleError as error:
            raise rule_error(error) from None
        profiles = {p.pk: p for p in CustomerProfile.objects.filter(pk__in=result["sample"])}
        return CRMSegmentPreview(count=result["count"], sample=[profiles[pk] for pk in result["sample"]])

    @staticmethod
    def resolve_crm_report(root, info):
        require_staff(info)
        rate = repeat_purchase_rate()
        return CRMReport(customers=rate["customers"], repeat_customers=rate["repeat_customers"],
                         repeat_purchase_rate=rate["rate"])

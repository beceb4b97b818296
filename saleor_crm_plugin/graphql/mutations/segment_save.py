import graphene

from ...models import Segment
from ...segments.membership import save_segment
from ...segments.rules import SegmentRuleError
from ..insight_types import CRMSegment
from ..errors import APIError, CRMErrorCode
from ..ids import decode_id
from ..permissions import require_staff
from ..segments import rule_error
from .base import CRMMutation
from ..inputs import JSONString


class CRMSegmentInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    description = graphene.String()
    rules = JSONString(required=True, description="The rule (see the README's rule language).")


class _SegmentSave(CRMMutation):
    segment = graphene.Field(CRMSegment)

    class Meta:
        abstract = True

    @classmethod
    def save(cls, input, segment=None):
        try:
            saved = save_segment(name=input.get("name"), rules=input.get("rules"),
                                 description=input.get("description") or "", segment=segment)
        except SegmentRuleError as error:
            raise rule_error(error) from None
        return cls(segment=saved, errors=[])


class CRMSegmentCreate(_SegmentSave):
    """Save a segment; its membership is computed at once and kept current. Requires MANAGE_USERS."""

    class Arguments:
        input = CRMSegmentInput(required=True)

    @classmethod
    def perform(cls, info, input):
        require_staff(info)
        return cls.save(input)


class CRMSegmentUpdate(_SegmentSave):
    """Change a saved segment (not a predefined RFM one). Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CRMSegmentInput(required=True)

    @classmethod
    def perform(cls, info, id, input):
        require_staff(info)
        return cls.save(input, segment=_segment(id))


class CRMSegmentDelete(CRMMutation):
    """Delete a saved segment (not a predefined RFM one). Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform(cls, info, id):
        require_staff(info)
        segment = _segment(id)
        if segment.is_predefined:
            raise APIError(CRMErrorCode.PREDEFINED.value, "Predefined RFM segments cannot be deleted.", "id")
        segment.delete()
        return cls(deleted_id=id, errors=[])


def _segment(value) -> Segment:
    segment = Segment.objects.filter(pk=decode_id(value, "CRMSegment", "id")).first()
    if segment is None:
        raise APIError(CRMErrorCode.NOT_FOUND.value, "No such segment.", "id")
    return segment

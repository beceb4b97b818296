import graphene

from ...support.surveys import answer
from ..permissions import caller
from ..storefront_limits import take_hit
from ..support_types import CRMSurveyResponse
from .base import CRMMutation


class CRMSurveyAnswer(CRMMutation):
    """Answer a satisfaction survey from its signed token (no sign-in); answering again updates the answer.

    ``score`` may be omitted when the token is a score link's (it carries
    one). A low score (CSAT ≤ 2, NPS ≤ 6) opens a service request. Without
    sign-in, answers are limited per visitor and per link (RATE_LIMITED).
    """

    class Arguments:
        token = graphene.String(required=True, description="The survey token of a link or a storefront form.")
        score = graphene.Int(description="CSAT 1–5 or NPS 0–10.")
        comment = graphene.String(description="At most 5,000 characters.")

    answer = graphene.Field(CRMSurveyResponse)

    @classmethod
    def perform(cls, info, token, score=None, comment=None):
        if caller(info).is_anonymous:
            take_hit(info, subject=f"link:{str(token)[:300]}")
        return cls(answer=answer(token, score, comment), errors=[])

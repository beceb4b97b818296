import graphene

from ...error_codes import RecommendationErrorCode
from ...schedule import TRAIN_TASK, send_task
from ..errors import APIError
from ..permissions import require_staff
from .base import CRMMutation


class CRMRecommendationTrain(CRMMutation):
    """Train the recommendation models now (in a worker; the nightly training runs anyway). Requires MANAGE_USERS."""

    queued = graphene.Boolean(required=True, description="The training was handed to a worker.")

    @classmethod
    def perform(cls, info):
        require_staff(info)
        if not send_task(TRAIN_TASK, "requested by staff"):
            raise APIError(RecommendationErrorCode.WORKER_UNAVAILABLE.value,
                           "The task queue could not be reached; try again later.", None)
        return cls(queued=True, errors=[])

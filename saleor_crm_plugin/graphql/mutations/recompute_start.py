import graphene

from ...models import RecomputeRun
from ...recompute import start_recompute
from ..permissions import require_staff
from ..recompute import CRMRecomputeRun
from .base import CRMMutation


class CRMRecomputeStart(CRMMutation):
    """Recompute every customer's scores, the propensity model and every segment's members now, in a worker.

    One run at a time: while one is queued or running, this returns it (``started`` false) instead of starting
    another. Follow it with ``crmRecomputeRun``. Requires MANAGE_USERS.
    """

    run = graphene.Field(CRMRecomputeRun, description="The run started, or the one already queued or running.")
    started = graphene.Boolean(description="False when a run was already queued or running; null with errors.")

    @classmethod
    def perform(cls, info):
        require_staff(info)
        run, started = start_recompute(RecomputeRun.Reason.STAFF)
        return cls(run=run, started=started, errors=[])

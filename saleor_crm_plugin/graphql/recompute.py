"""Staff: "Recompute now" runs (scores, propensity, segments) and their progress."""

import graphene

from ..models import RecomputeRun
from ..recompute import STEPS, latest_run
from ..error_codes import RecomputeErrorCode
from .errors import APIError
from .ids import decode_id, global_id
from .permissions import require_staff

CRMRecomputeState = graphene.Enum("CRMRecomputeState", [(s.upper(), s) for s in RecomputeRun.State.values])
CRMRecomputeReason = graphene.Enum("CRMRecomputeReason", [(r.upper(), r) for r in RecomputeRun.Reason.values])
CRMRecomputeStep = graphene.Enum("CRMRecomputeStep", [(s.upper(), s) for s in STEPS], description=(
    "SCORES: RFM, lifetime value and churn risk; PROPENSITY: the response model and every customer's score; "
    "SEGMENTS: every saved segment's members."))


class CRMRecomputeRun(graphene.ObjectType):
    """One recompute of scores, propensity and segments: after the first backfill, or "Recompute now"."""

    id = graphene.ID(required=True)
    state = CRMRecomputeState(required=True, description="QUEUED until a worker starts it, then RUNNING, DONE "
                              "or FAILED.")
    reason = CRMRecomputeReason(required=True, description="BACKFILL: the shop's history was just imported; "
                                "STAFF: asked for.")
    step = CRMRecomputeStep(description="The step running (the last one run once finished); null while queued.")
    done = graphene.Int(required=True, description="Steps finished.")
    total = graphene.Int(required=True, description="Steps in all.")
    requested_at = graphene.DateTime(required=True)
    started_at = graphene.DateTime()
    finished_at = graphene.DateTime()
    error = graphene.String(description="Why it failed; null otherwise.")
    customers_scored = graphene.Int(required=True, description="Customers given scores (every currency), once "
                                    "the scores step finished; 0 before.")

    @staticmethod
    def resolve_id(root, info):
        return global_id("CRMRecomputeRun", root.pk)

    @staticmethod
    def resolve_step(root, info):
        return root.step or None

    @staticmethod
    def resolve_error(root, info):
        return root.error or None

    @staticmethod
    def resolve_customers_scored(root, info):
        return sum((root.figures.get("scores") or {}).get("customers", {}).values())


class RecomputeQuery(graphene.ObjectType):
    crm_recompute_run = graphene.Field(
        CRMRecomputeRun, id=graphene.ID(description="A CRMRecomputeRun ID; the latest run when omitted."),
        description="A recompute run and its progress; null when none ran yet. Requires MANAGE_USERS.")

    @staticmethod
    def resolve_crm_recompute_run(root, info, id=None):
        require_staff(info)
        if id is None:
            return latest_run()
        run = RecomputeRun.objects.filter(pk=decode_id(id, "CRMRecomputeRun", "id")).first()
        if run is None:
            raise APIError(RecomputeErrorCode.NOT_FOUND.value, "No such recompute run.", "id")
        return run

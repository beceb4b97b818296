"""Staff types for customer scores (RFM, lifetime value, churn risk), segments and shop reports."""

from datetime import timedelta

import graphene
from django.utils import timezone

from ..analytics.rfm import GROUPS
from ..config import get_setting
from ..models import CustomerProfile, PropensityRun
from ..profiles.propensity import LABELS as PROPENSITY_LABELS
from ..money import round_money
from ..reports import cohorts as shop_reports
from .ids import global_id
from .pagination import check_first, paginate
from .support_types import CRMSatisfactionFigures
from .types import money_field
from .inputs import JSONString

TYPES = "saleor_crm_plugin.graphql.types"  # by import path: types.py refers to this module's types the same way

CRMRfmGroup = graphene.Enum("CRMRfmGroup", [(g.upper(), g) for g in GROUPS])


class CRMCustomerAnalytics(graphene.ObjectType):
    """RFM, lifetime value and churn of a customer in one currency (recomputed nightly)."""

    currency = graphene.String(required=True)
    recency_days = graphene.Float(required=True)
    r_score = graphene.Int(required=True)
    f_score = graphene.Int(required=True)
    m_score = graphene.Int(required=True)
    rfm_group = CRMRfmGroup(required=True)
    expected_orders_30 = graphene.Float(required=True)
    expected_orders_90 = graphene.Float(required=True)
    expected_orders_365 = graphene.Float(required=True)
    p_alive = graphene.Float(required=True, description="Probability the customer still buys.")
    churn_risk = graphene.Float(required=True, description=(
        "Probability of no order within the churn horizon (setting churn_horizon_days, default 90 days)."))
    next_order_at = graphene.DateTime(description="Expected next order; null when none is expected.")
    expected_order_value = money_field("expected_order_value")
    clv_12m = money_field("clv_12m", description="Discounted 12-month lifetime value.")
    method = graphene.String(required=True, description="bgnbd, or fallback for a shop with little history.")
    confidence = graphene.String(required=True, description="high, medium or low.")
    computed_at = graphene.DateTime(required=True)


class CRMPropensityReason(graphene.ObjectType):
    """One input behind a customer's propensity: how much it moves the log-odds against a typical customer."""

    name = graphene.String(required=True, description="The input's key, e.g. recency_weeks, mails_clicked.")
    label = graphene.String(required=True, description="The input in words.")
    value = graphene.Float(required=True, description="Change in log-odds when the input is set to the median; "
                           "positive raises the propensity.")

    @staticmethod
    def resolve_label(root, info):
        return PROPENSITY_LABELS.get(root["name"], root["name"].replace("_", " "))

    @staticmethod
    def resolve_name(root, info):
        return root["name"]

    @staticmethod
    def resolve_value(root, info):
        return root["value"]


class CRMPropensity(graphene.ObjectType):
    """A customer's probability of ordering within the horizon (recomputed nightly) and why."""

    probability = graphene.Float(required=True)
    horizon_days = graphene.Int(required=True)
    confidence = graphene.String(required=True, description="high, medium or low (low: a prior, not a model).")
    method = graphene.String(required=True, description="logistic or boosting (a model); bgnbd_prior or "
                             "base_rate (too little history, or a customer who never ordered).")
    reasons = graphene.List(graphene.NonNull(CRMPropensityReason), required=True, description="Strongest first.")
    scored_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_horizon_days(root, info):
        # The run's horizon; a row whose run is gone (deleted by hand) reads the current setting.
        return root.horizon_days or get_setting("propensity_horizon_days")


class CRMPropensityModel(graphene.ObjectType):
    """The latest nightly propensity model: how it was chosen and how well it ranks (cross-fitted)."""

    trained_at = graphene.DateTime(required=True)
    horizon_days = graphene.Int(required=True)
    method = graphene.String(required=True)
    confidence = graphene.String(required=True)
    customers = graphene.Int(required=True, description="Training customers (they had ordered by the cut).")
    scored = graphene.Int(required=True)
    base_rate = graphene.Float(description="Share of training customers who ordered in the horizon.")
    auc = graphene.Float(description="Cross-fitted ROC AUC; null for a prior.")
    average_precision = graphene.Float()
    top_decile_lift = graphene.Float(description="Buyers among the top 10% ÷ the base rate.")

    @staticmethod
    def resolve_trained_at(root, info):
        return root.finished_at

    @staticmethod
    def resolve_base_rate(root, info):
        return root.metrics.get("base_rate")

    @staticmethod
    def resolve_auc(root, info):
        return root.metrics.get("auc")

    @staticmethod
    def resolve_average_precision(root, info):
        return root.metrics.get("average_precision")

    @staticmethod
    def resolve_top_decile_lift(root, info):
        return root.metrics.get("top_decile_lift")


class CRMSegment(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    rules = JSONString(required=True)
    is_predefined = graphene.Boolean(required=True)
    member_count = graphene.Int(required=True)
    refreshed_at = graphene.DateTime()
    members = graphene.Field(f"{TYPES}.CRMCustomerConnection", required=True, first=graphene.Int(),
                             after=graphene.String())

    @staticmethod
    def resolve_id(root, info):
        return global_id("CRMSegment", root.pk)

    @staticmethod
    def resolve_members(root, info, first=None, after=None):
        queryset = CustomerProfile.objects.filter(erased_at__isnull=True, pk__in=root.members.values(
            "profile_id")).order_by("-order_count", "-pk")
        return paginate(queryset, first, after)


class CRMSegmentPreview(graphene.ObjectType):
    count = graphene.Int(required=True)
    sample = graphene.List(graphene.NonNull(f"{TYPES}.CRMCustomer"), required=True)


class CRMCohort(graphene.ObjectType):
    cohort = graphene.Date(required=True, description="Month of the first order.")
    customers = graphene.Int(required=True)
    retention = graphene.List(graphene.NonNull(graphene.Float), required=True,
                              description="Share of the cohort ordering in month 0, 1, 2, … after acquisition.")
    satisfaction = graphene.Field(CRMSatisfactionFigures, required=True,
                                  description="CSAT and NPS over every survey answer of the cohort's customers.")


class CRMRevenue(graphene.ObjectType):
    currency = graphene.String(required=True)
    customers = graphene.Int(required=True)
    amount = graphene.Float(required=True)


class CRMCurrencyRevenue(graphene.ObjectType):
    """The shop's customers, counted orders and revenue in one currency."""

    currency = graphene.String(required=True)
    customers = graphene.Int(required=True, description="Customers with a counted order in the currency.")
    orders = graphene.Int(required=True)
    amount = graphene.Float(required=True)


class CRMRfmGroupStat(graphene.ObjectType):
    group = CRMRfmGroup(required=True)
    currency = graphene.String(required=True)
    customers = graphene.Int(required=True)
    revenue = graphene.Float(required=True)
    clv_12m = graphene.Float(required=True)


class CRMSegmentStat(graphene.ObjectType):
    segment_id = graphene.ID(required=True)
    name = graphene.String(required=True)
    members = graphene.Int(required=True)
    revenue = graphene.List(graphene.NonNull(CRMRevenue), required=True)


class CRMReport(graphene.ObjectType):
    customers = graphene.Int(required=True, description="Customers with at least one order.")
    repeat_customers = graphene.Int(required=True)
    repeat_purchase_rate = graphene.Float(required=True)
    cohorts = graphene.List(graphene.NonNull(CRMCohort), required=True, months=graphene.Int())
    revenue = graphene.List(graphene.NonNull(CRMCurrencyRevenue), required=True, description=(
        "Revenue per currency over counted orders (what the customer list shows per customer), up to date with "
        "the last folded order; never added across currencies."))
    rfm_groups = graphene.List(graphene.NonNull(CRMRfmGroupStat), required=True, description=(
        "Customers, revenue and CLV per RFM group and currency, as of the last scores recompute (nightly, after "
        "the first backfill, or crmRecomputeStart); empty before the first."))
    segments = graphene.List(graphene.NonNull(CRMSegmentStat), required=True)
    propensity = graphene.Field(CRMPropensityModel, description="The latest response propensity model; null "
                                "before the first nightly run.")

    @staticmethod
    def resolve_propensity(root, info):
        return PropensityRun.objects.filter(state=PropensityRun.State.DONE).order_by("-pk").first()

    @staticmethod
    def resolve_cohorts(root, info, months=None):
        months = check_first(months, "months", default=12)
        return [CRMCohort(**c) for c in shop_reports.cohorts(timezone.now() - timedelta(days=31 * months))]

    @staticmethod
    def resolve_revenue(root, info):
        return [CRMCurrencyRevenue(currency=r["currency"], customers=r["customers"], orders=r["orders"],
                                   amount=float(round_money(r["amount"], r["currency"])))
                for r in shop_reports.revenue_per_currency()]

    @staticmethod
    def resolve_rfm_groups(root, info):
        return [CRMRfmGroupStat(group=g["group"], currency=g["currency"], customers=g["customers"],
                                revenue=float(round_money(g["revenue"], g["currency"])),
                                clv_12m=float(round_money(g["clv_12m"], g["currency"])))
                for g in shop_reports.rfm_groups()]

    @staticmethod
    def resolve_segments(root, info):
        return [CRMSegmentStat(segment_id=global_id("CRMSegment", s["id"]), name=s["name"], members=s["members"],
                               revenue=[CRMRevenue(currency=r["currency"], customers=r["customers"],
                                                   amount=float(round_money(r["amount"], r["currency"])))
                                        for r in s["revenue"]])
                for s in shop_reports.segments()]

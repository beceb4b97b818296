from .scores import AnalyticsRun, CustomerAnalytics
from .app import AppRegistration
from .automation import Automation, AutomationKind, AutomationRun, AutomationStep, RunReason, RunState
from .campaign import Campaign, CampaignState, Delivery, DeliveryState, EmailTemplate, SkipReason
from .checkout import CRMCheckout
from .consent import (
    ChannelConsent, ConsentRecord, ConsentSource, ConsentState, PendingSubscription, Suppression, SuppressionReason,
)
from .event import CRMEvent
from .order import CRMOrder, CRMOrderLine
from .product import ProductSnapshot
from .recommendation import RecommendationModel
from .segment import Segment, SegmentMember
from .profile import CustomerNote, CustomerProfile, CustomerSpend, DirtyProfile, ErasedIdentity
from .settings import BackfillCursor, CRMSetting
from .shop import RateLimitWindow, ShopChannel
from .tracking import DeliveryEvent, DeliveryEventKind  # noqa: F401 - registers the model
from .propensity import CustomerPropensity, PropensityRun  # noqa: F401 - registers the models
from .support import ServiceMessage, ServiceRequest, SurveyResponse  # noqa: F401 - registers the models
from .recompute import RecomputeRun

__all__ = [
    "AppRegistration",
    "Automation",
    "AutomationKind",
    "AutomationRun",
    "AutomationStep",
    "RunReason",
    "RunState",
    "Campaign",
    "CampaignState",
    "ChannelConsent",
    "ConsentRecord",
    "ConsentSource",
    "ConsentState",
    "Delivery",
    "DeliveryState",
    "EmailTemplate",
    "PendingSubscription",
    "RateLimitWindow",
    "ShopChannel",
    "SkipReason",
    "Suppression",
    "SuppressionReason",
    "AnalyticsRun",
    "CustomerAnalytics",
    "BackfillCursor",
    "CRMCheckout",
    "CRMEvent",
    "CRMOrder",
    "CRMOrderLine",
    "CRMSetting",
    "CustomerNote",
    "CustomerProfile",
    "CustomerPropensity",
    "PropensityRun",
    "CustomerSpend",
    "DirtyProfile",
    "ErasedIdentity",
    "ProductSnapshot",
    "RecommendationModel",
    "RecomputeRun",
    "Segment",
    "SegmentMember",
]

from .scores import AnalyticsRun, CustomerAnalytics
from .checkout import CRMCheckout
from .event import CRMEvent
from .order import CRMOrder, CRMOrderLine
from .product import ProductSnapshot
from .recommendation import RecommendationModel
from .segment import Segment, SegmentMember
from .profile import CustomerNote, CustomerProfile, CustomerSpend, DirtyProfile, ErasedIdentity
from .settings import BackfillCursor, CRMSetting

__all__ = [
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
    "CustomerSpend",
    "DirtyProfile",
    "ErasedIdentity",
    "ProductSnapshot",
    "RecommendationModel",
    "Segment",
    "SegmentMember",
]

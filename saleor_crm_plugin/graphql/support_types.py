"""Types of service requests, their threads, survey answers and satisfaction figures."""

import graphene

from ..models.support import MessageDirection, MessageState, ServiceRequestKind, ServiceRequestStatus, SurveyKind
from ..support.satisfaction import nps_group
from .ids import decode_id, global_id
from .pagination import check_first, connection

TYPES = "saleor_crm_plugin.graphql.types"


def _enum(name: str, values, description: str):
    return graphene.Enum(name, [(value.upper(), value) for value in values], description=description)


CRMServiceRequestKind = _enum("CRMServiceRequestKind", ServiceRequestKind.values,
                              "A question, a complaint, or a request opened by a low survey score.")
CRMFeedbackKind = _enum("CRMFeedbackKind", ["question", "complaint"], "What a storefront message is.")
CRMServiceRequestStatus = _enum("CRMServiceRequestStatus", ServiceRequestStatus.values,
                                "OPEN: waiting for the shop; ANSWERED: replied to; CLOSED.")
CRMServiceMessageDirection = _enum("CRMServiceMessageDirection", MessageDirection.values,
                                   "INBOUND from the customer, OUTBOUND a staff reply by email.")
CRMServiceMessageState = _enum("CRMServiceMessageState", MessageState.values,
                               "RECEIVED (inbound); a reply is SENDING until the provider answered, then SENT "
                               "or FAILED.")
CRMSurveyKind = _enum("CRMSurveyKind", SurveyKind.values, "CSAT (1–5) or NPS (0–10).")
CRMNpsGroup = _enum("CRMNpsGroup", ["promoter", "passive", "detractor"], "Promoters 9–10, passives 7–8, "
                    "detractors 0–6.")


def request_pk(value, field: str = "id") -> int:
    return decode_id(value, "CRMServiceRequest", field)


class CRMServiceMessage(graphene.ObjectType):
    """One message of a request's thread."""

    id = graphene.ID(required=True)
    direction = CRMServiceMessageDirection(required=True)
    via = graphene.String(required=True, description="storefront, link (the reply's page), survey or staff.")
    body = graphene.String(required=True)
    author = graphene.String(required=True, description="The staff member who wrote a reply; empty otherwise.")
    message_id = graphene.String(required=True, description="Its Message-ID header.")
    in_reply_to = graphene.String(required=True)
    references = graphene.List(graphene.NonNull(graphene.String), required=True)
    state = CRMServiceMessageState(required=True)
    error = graphene.String(required=True, description="Why the provider refused a FAILED reply.")
    created_at = graphene.DateTime(required=True)
    sent_at = graphene.DateTime()

    @staticmethod
    def resolve_id(root, info):
        return global_id("CRMServiceMessage", root.pk)

    @staticmethod
    def resolve_references(root, info):
        return root.references.split()


class CRMSurveyResponse(graphene.ObjectType):
    """A customer's answer to one survey."""

    kind = CRMSurveyKind(required=True)
    score = graphene.Int(required=True)
    comment = graphene.String(required=True)
    order_id = graphene.ID(description="Saleor's global ID of the order the survey was about.")
    channel = graphene.String(required=True)
    answered_at = graphene.DateTime(required=True)
    nps_group = CRMNpsGroup(description="For an NPS answer.")
    service_request_id = graphene.ID(description="The request a low score opened.")

    @staticmethod
    def resolve_order_id(root, info):
        return global_id("Order", root.order_id) if root.order_id else None

    @staticmethod
    def resolve_nps_group(root, info):
        return nps_group(root.score) if root.kind == SurveyKind.NPS else None

    @staticmethod
    def resolve_service_request_id(root, info):
        return global_id("CRMServiceRequest", root.request_id) if root.request_id else None


class CRMServiceRequest(graphene.ObjectType):
    """A customer's question or complaint and its thread (staff with MANAGE_USERS)."""

    id = graphene.ID(required=True)
    customer = graphene.Field(f"{TYPES}.CRMCustomer", required=True)
    email = graphene.String(description="Where replies go; null once the customer was erased.")
    channel = graphene.String(required=True)
    order_id = graphene.ID(description="Saleor's global ID of the order it is about.")
    order_number = graphene.String(required=True)
    kind = CRMServiceRequestKind(required=True)
    subject = graphene.String(required=True)
    status = CRMServiceRequestStatus(required=True)
    created_at = graphene.DateTime(required=True)
    first_response_at = graphene.DateTime(description="When the first reply was sent.")
    last_message_at = graphene.DateTime(required=True)
    closed_at = graphene.DateTime()
    closed_by = graphene.String(required=True)
    first_response_seconds = graphene.Float(description="First reply sent − created; null before one.")
    resolution_seconds = graphene.Float(description="Closed − created; null while not closed.")
    messages = graphene.List(graphene.NonNull(CRMServiceMessage), required=True, first=graphene.Int(),
                             description="The thread, oldest first (default 20, at most 100).")

    @staticmethod
    def resolve_id(root, info):
        return global_id("CRMServiceRequest", root.pk)

    @staticmethod
    def resolve_customer(root, info):
        return root.profile

    @staticmethod
    def resolve_order_id(root, info):
        return global_id("Order", root.order_id) if root.order_id else None

    @staticmethod
    def resolve_messages(root, info, first=None):
        return info.context.crm_loaders.messages(check_first(first)).load(root.pk)


CRMServiceRequestConnection = connection(CRMServiceRequest, "CRMServiceRequestCountable")


class _Figures:
    """CSAT and NPS over a set of answers; null where there is no answer of that kind."""

    csat_responses = graphene.Int(required=True)
    csat_average = graphene.Float(description="Average CSAT score, 1 to 5.")
    csat_satisfied_percent = graphene.Float(description="Share of CSAT answers of 4 or 5, in %.")
    nps_responses = graphene.Int(required=True)
    nps = graphene.Float(description="% promoters − % detractors, −100 to 100.")
    promoters = graphene.Int(required=True)
    passives = graphene.Int(required=True)
    detractors = graphene.Int(required=True)


class CRMSatisfactionFigures(_Figures, graphene.ObjectType):
    """The shop's CSAT and NPS over a period."""


class CRMSatisfactionMonth(_Figures, graphene.ObjectType):
    month = graphene.Date(required=True, description="The month's first day (UTC).")


class CRMSatisfactionCategory(_Figures, graphene.ObjectType):
    category = graphene.String(required=True, description="A product category of the answered orders.")


class CRMShopSatisfaction(graphene.ObjectType):
    """CSAT and NPS of the shop: in all, per month, per product category bought."""

    total = graphene.Field(CRMSatisfactionFigures, required=True)
    months = graphene.List(graphene.NonNull(CRMSatisfactionMonth), required=True)
    categories = graphene.List(graphene.NonNull(CRMSatisfactionCategory), required=True)


class CRMCustomerSatisfaction(graphene.ObjectType):
    """One customer's latest CSAT and NPS, and their answers."""

    csat_latest = graphene.Int(description="The latest CSAT score (1–5).")
    nps_latest = graphene.Int(description="The latest NPS score (0–10).")
    nps_group = CRMNpsGroup(description="The group of the latest NPS score.")
    history = graphene.List(graphene.NonNull(CRMSurveyResponse), required=True, description="Newest first.")

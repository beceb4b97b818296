import graphene

from ...support.requests import feedback
from ..ids import global_id
from ..permissions import caller
from ..storefront_limits import take_hit
from ..support_types import CRMFeedbackKind, CRMServiceRequestStatus, request_pk
from .base import CRMMutation


class CRMFeedbackSend(CRMMutation):
    """Send the shop a question or a complaint from the storefront; staff answer by email.

    A signed-in customer may name one of their orders by number (or none); a
    guest gives their email and the number of an order placed with it. A
    wrong pair gives ORDER_NOT_FOUND whether or not the order exists. A
    message about an order with a request still open or answered (or naming
    ``requestId``) joins that request's thread. A guest's messages are
    limited per visitor and per address (RATE_LIMITED): guessing order
    numbers is as slow as the limit.
    """

    class Arguments:
        body = graphene.String(required=True, description="At most 5,000 characters.")
        subject = graphene.String(description="At most 200 characters; default from the kind and order.")
        kind = CRMFeedbackKind(description="Default QUESTION.")
        channel = graphene.String(description="The Saleor channel slug (default: the order's).")
        email = graphene.String(description="A guest's address (ignored for a signed-in customer).")
        order_number = graphene.String(description="The order's number; required for a guest.")
        request_id = graphene.ID(description="A request of yours to write to (not closed).")

    request_id = graphene.ID(description="The request the message is in.")
    status = CRMServiceRequestStatus()

    @classmethod
    def perform(cls, info, body, subject=None, kind=None, channel=None, email=None, order_number=None,
                request_id=None):
        who = caller(info)
        if who.is_anonymous:
            take_hit(info, subject=email if isinstance(email, str) else None)
        identity = {"email": email} if who.is_anonymous else {"user_id": who.user_id, "account_email": who.email}
        request = feedback(body=body, subject=subject or "", kind=kind or "question", channel=channel or "",
                           order_number=order_number,
                           request_id=request_pk(request_id, "requestId") if request_id is not None else None,
                           **identity)
        return cls(request_id=global_id("CRMServiceRequest", request.pk), status=request.status, errors=[])

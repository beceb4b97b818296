import graphene

from ...error_codes import SupportErrorCode
from ...models.support import MessageState
from ...support.replies import reply
from ..errors import CRMError
from ..permissions import require_staff
from ..support_types import CRMServiceMessage, CRMServiceRequest, request_pk
from .base import CRMMutation


class CRMServiceRequestReply(CRMMutation):
    """Reply to a service request by email, in its thread. Requires MANAGE_USERS.

    Sent exactly once per ``idempotencyKey``: repeating the call returns the
    stored reply without sending again (a FAILED one is tried again). A
    refused mail comes back as the reply in state FAILED and a SEND_FAILED
    error.
    """

    class Arguments:
        id = graphene.ID(required=True, description="The CRMServiceRequest.")
        body = graphene.String(required=True, description="At most 5,000 characters.")
        idempotency_key = graphene.String(required=True, description="Unique per reply, at most 64 characters.")

    service_request = graphene.Field(CRMServiceRequest)
    message = graphene.Field(CRMServiceMessage)

    @classmethod
    def perform(cls, info, id, body, idempotency_key):
        staff = require_staff(info)
        message = reply(request_pk(id), body, author=staff.email or "", idempotency_key=idempotency_key)
        errors = []
        if message.state == MessageState.FAILED:
            errors = [CRMError(field=None, message=f"The provider refused the mail: {message.error}",
                               code=SupportErrorCode.SEND_FAILED.value)]
        return cls(service_request=message.request, message=message, errors=errors)

import graphene

from ...support.replies import close
from ..permissions import require_staff
from ..support_types import CRMServiceRequest, request_pk
from .base import CRMMutation


class CRMServiceRequestClose(CRMMutation):
    """Close a service request (its resolution time is then known); closing it again changes nothing.

    Requires MANAGE_USERS. A customer's later message reopens it.
    """

    class Arguments:
        id = graphene.ID(required=True, description="The CRMServiceRequest.")

    service_request = graphene.Field(CRMServiceRequest)

    @classmethod
    def perform(cls, info, id):
        staff = require_staff(info)
        return cls(service_request=close(request_pk(id), author=staff.email or ""), errors=[])

import graphene

from ...configuration import send_test_mail
from ...errors import CRMError as CRMErrorBase
from ...rate_limits import RateLimited
from ..errors import CRMError
from ..permissions import require_staff
from ..settings import field_name
from .base import CRMMutation


class CRMSettingsTestMailSend(CRMMutation):
    """Send one short mail through the configured provider, to check its settings. Requires MANAGE_USERS.

    At most 10 per staff member in 10 minutes (``rate_limited``, HTTP 429 with Retry-After). Errors:
    ``invalid_email`` (field ``to``), ``not_configured`` (naming the setting to fix), ``send_failed`` with
    the provider's answer (credentials masked).
    """

    class Arguments:
        to = graphene.String(required=True, description="The address to send the test mail to.")

    message_id = graphene.String(description="The Message-ID of the mail sent.")

    @classmethod
    def perform(cls, info, to):
        staff = require_staff(info)
        try:
            message_id = send_test_mail(to, staff_user_id=staff.user_id)
        except RateLimited as refused:
            info.context.crm_retry_after = max(getattr(info.context, "crm_retry_after", 0), refused.retry_after)
            raise
        except CRMErrorBase as error:  # a setting's name as the API spells it (smtp_url → smtpUrl)
            return cls(errors=[CRMError(field=field_name(error.field), message=error.message, code=error.code_value)])
        return cls(message_id=message_id, errors=[])

import graphene

from ...campaigns.previews import MAX_TEST_ADDRESSES, test_send
from ...error_codes import CampaignErrorCode
from ...errors import CRMError
from ..campaign_inputs import customer_pk, template_sources
from ..permissions import require_staff
from .base import CRMMutation


class CRMEmailTemplateTestSend(CRMMutation):
    """Send a saved template, rendered for a customer (or a sample one), to a few addresses.

    The subject starts with "[Test] "; test mails are no campaign's and the
    frequency cap does not count them. Requires MANAGE_USERS.
    """

    class Arguments:
        template_id = graphene.ID(required=True)
        addresses = graphene.List(graphene.NonNull(graphene.String), required=True,
                                  description=f"1 to {MAX_TEST_ADDRESSES} addresses.")
        channel = graphene.String(required=True)
        customer_id = graphene.ID(description="Render for this customer (CRMCustomer or Saleor User ID).")

    message_ids = graphene.List(graphene.NonNull(graphene.String), description="The Message-ID of each mail sent.")

    @classmethod
    def perform(cls, info, template_id, addresses, channel, customer_id=None):
        require_staff(info)
        # Refused before anything is rendered or decoded (the service checks the same).
        if len(addresses) > MAX_TEST_ADDRESSES:
            raise CRMError(CampaignErrorCode.TOO_MANY, f"A test goes to at most {MAX_TEST_ADDRESSES} addresses.",
                           "addresses")
        template = template_sources(template_id, None)
        profile_id = customer_pk(customer_id) if customer_id is not None else None
        sent = test_send(template=template, addresses=addresses, channel=channel, profile_id=profile_id)
        return cls(message_ids=sent, errors=[])

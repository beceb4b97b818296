"""Staff: the shop's channels by name, for the Dashboard's channel pickers."""

import graphene

from ..shop import channel_list
from .permissions import require_staff


class CRMChannel(graphene.ObjectType):
    """One of the shop's sales channels."""

    slug = graphene.String(required=True)
    name = graphene.String(required=True, description="Saleor's channel name; the slug when the CRM knows no name.")
    currency_code = graphene.String(description="ISO 4217; null while the CRM has not seen the channel's currency.")
    is_default = graphene.Boolean(
        required=True, description="The shop's default channel (exactly one when there is any): Saleor's "
        "DEFAULT_CHANNEL_SLUG when it is a channel, else the channel of most recent orders, else the first by slug.")

    @staticmethod
    def resolve_currency_code(root, info):
        return root.currency or None


class ChannelQuery(graphene.ObjectType):
    crm_channels = graphene.List(
        graphene.NonNull(CRMChannel), required=True,
        description="The shop's channels by slug (inside Saleor its active channels; outside it those the CRM "
                    "has seen in orders, checkouts and product listings). Requires MANAGE_USERS.")

    @staticmethod
    def resolve_crm_channels(root, info):
        require_staff(info)
        return list(channel_list())

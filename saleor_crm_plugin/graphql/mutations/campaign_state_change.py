"""What the campaign state mutations share: a campaign ID in, the campaign in its new state out."""

import graphene

from ..campaign_types import CRMCampaign, campaign_pk
from ..permissions import require_staff
from .base import CRMMutation


class CRMCampaignStateChange(CRMMutation):
    """Subclasses name the service that moves the campaign (``change``) and may add arguments."""

    campaign = graphene.Field(CRMCampaign)

    class Meta:
        abstract = True

    @classmethod
    def perform(cls, info, id, **arguments):
        require_staff(info)
        return cls(campaign=cls.change(campaign_pk(id), **arguments), errors=[])

    @staticmethod
    def change(campaign_id: int, **arguments):
        raise NotImplementedError

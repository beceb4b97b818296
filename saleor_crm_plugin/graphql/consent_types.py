"""Marketing consent per channel as the API shows it: the current state, its history, and a per-request loader."""

from collections import defaultdict

import graphene
from promise import Promise
from promise.dataloader import DataLoader

from ..models import ChannelConsent, ConsentSource, ConsentState
from .inputs import JSONString

CRMConsentState = graphene.Enum("CRMConsentState", [(s.upper(), s) for s in ConsentState.values],
                                description="Consent in one channel; a channel never asked about is absent.")
CRMConsentSource = graphene.Enum("CRMConsentSource", [(s.upper(), s) for s in ConsentSource.values],
                                 description="How a consent change reached the CRM.")


class CRMMarketingConsentChoice(graphene.Enum):
    """What staff or a customer may set directly (pending only comes from a storefront subscription)."""

    SUBSCRIBED = ConsentState.SUBSCRIBED.value
    UNSUBSCRIBED = ConsentState.UNSUBSCRIBED.value


class CRMChannelConsent(graphene.ObjectType):
    """A customer's current marketing consent in one Saleor channel."""

    channel = graphene.String(required=True)
    state = CRMConsentState(required=True)
    source = CRMConsentSource(required=True)
    updated_at = graphene.DateTime(required=True)


class CRMConsentRecord(graphene.ObjectType):
    """One consent change, as kept to prove it (append-only)."""

    channel = graphene.String(required=True)
    state = CRMConsentState(required=True)
    source = CRMConsentSource(required=True)
    detail = JSONString(required=True, description="What proves it: the staff member, the campaign…")
    at = graphene.DateTime(required=True)


class ConsentsByProfile(DataLoader):
    """Every channel's consent of each profile asked for in a request, in one query."""

    def batch_load_fn(self, keys):
        grouped = defaultdict(list)
        for consent in ChannelConsent.objects.filter(profile_id__in=list(keys)).order_by("channel"):
            grouped[consent.profile_id].append(consent)
        return Promise.resolve([grouped.get(key, []) for key in keys])


def consents_loader(info) -> ConsentsByProfile:
    """The request's loader (made on first use, so a page of customers costs one query for consents)."""
    loader = getattr(info.context, "crm_consent_loader", None)
    if loader is None:
        loader = info.context.crm_consent_loader = ConsentsByProfile()
    return loader

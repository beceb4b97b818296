"""Hard bounces and complaints, as anymail reports them, suppress the address.

anymail turns every ESP's tracking webhook into one ``AnymailTrackingEvent``
and sends its ``tracking`` signal; this receiver keeps the suppression list
(a complaint also unsubscribes the customer in every channel, source
``complaint``). Soft bounces (anymail's ``deferred``) suppress nothing.
"""

import logging

from ..models import ConsentSource, CustomerProfile, SuppressionReason
from ..normalized.schema import normalize_email
from .consent import unsubscribe_everywhere
from .suppression import suppress

logger = logging.getLogger(__name__)

REASONS = {"bounced": SuppressionReason.HARD_BOUNCE, "rejected": SuppressionReason.HARD_BOUNCE,
           "complained": SuppressionReason.COMPLAINT}


def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    """anymail ``tracking`` receiver: suppress a hard-bounced or complaining recipient."""
    reason = REASONS.get(getattr(event, "event_type", None))
    email = normalize_email(getattr(event, "recipient", None))
    if reason is None or not email:
        return
    detail = f"{esp_name}: {event.event_type}" + (f" ({event.description})" if event.description else "")
    try:
        suppress(email, reason, detail[:2000])
    except ValueError:  # an address anymail reported that is not one (CRMError is a ValueError)
        logger.warning("CRM: %s reported %s for an invalid address; ignored", esp_name, event.event_type)
        return
    if reason == SuppressionReason.COMPLAINT:
        profile_id = CustomerProfile.objects.filter(email=email).values_list("pk", flat=True).first()
        if profile_id is not None:
            unsubscribe_everywhere(profile_id, ConsentSource.COMPLAINT, {"esp": esp_name})

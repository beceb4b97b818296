"""Export of everything the CRM stores about one customer (GDPR article 15).

The result is JSON-ready and has a stable structure: one entry per profile
(a person may have an account profile and a guest profile), each with a key
per table keyed by the profile, and ``other_events``: the events that name
the person outside their profiles (pending or rejected ones, or an order
another account placed with their address). Every key is always present,
empty when there is nothing.
"""

import json

from ..normalized.schema import normalize_email
from ..normalized.summaries import summarize_payload
from ..models import (
    AutomationRun, ChannelConsent, ConsentRecord, CRMCheckout, CRMEvent, CRMOrder, CustomerAnalytics, CustomerPropensity, CustomerNote, CustomerSpend,
    Delivery, PendingSubscription, SegmentMember, Suppression,
)
from ..models.consent import email_hash
from ..models.support import ServiceRequest, SurveyResponse
from .privacy import events_about, identities_of, profiles_for

# Which table each key of a profile's export comes from (the tests check
# that every table with a profile_id is here or deliberately left out).
PROFILE_TABLES = {
    "profile": "crm_customer_profile",
    "consent": "crm_channel_consent",
    "consent_history": "crm_consent_record",
    "deliveries": "crm_delivery",
    "automation_runs": "crm_automation_run",
    "suppressed": "crm_suppression",  # by the address's hash
    "spend": "crm_customer_spend",
    "orders": "crm_order",  # each with its "lines" (crm_order_line)
    "checkouts": "crm_checkout",
    "events": "crm_event",
    "notes": "crm_customer_note",
    "analytics": "crm_customer_analytics",
    "propensity": "crm_customer_propensity",
    "segments": "crm_segment_member",
    "service_requests": "crm_service_request",  # each with its "messages" (crm_service_message)
    "survey_responses": "crm_survey_response",
}


def export_customer(*, user_id: int | None = None, email: str | None = None) -> dict:
    """Everything the CRM stores about the customer with this user id and/or email, as a JSON-ready dict.

    ``{"profiles": [{"profile", "consent", "consent_history", "deliveries", "suppressed", "spend",
    "orders", "checkouts", "events", "notes", "analytics", "propensity", "segments", "service_requests", "automation_runs",
    "survey_responses"}], "other_events": [...], "subscription_requests": [...]}`` — the last: addresses
    typed into the storefront's subscription form and not confirmed yet (they have no profile).
    """
    email = normalize_email(email)
    profiles = profiles_for(user_id, email) if (user_id is not None or email) else []
    identities = identities_of(user_id, email, profiles)
    ids = [p.pk for p in profiles]
    event_ids = events_about(ids, identities) if identities or ids else []
    events = list(CRMEvent.objects.filter(pk__in=event_ids).order_by("occurred_at", "pk"))
    result = {
        "profiles": [_profile_export(profile, [e for e in events if e.profile_id == profile.pk])
                     for profile in profiles],
        "other_events": [_event(e) for e in events if e.profile_id not in ids],
        "subscription_requests": [
            _plain(r, exclude={"id"}) for r in PendingSubscription.objects.filter(
                email__in=sorted(str(v) for k, v in identities if k == "email")).order_by("requested_at", "pk")],
    }
    return json.loads(json.dumps(result, default=str))  # JSON-ready, whatever a payload held


def _profile_export(profile, events) -> dict:
    orders = CRMOrder.objects.filter(profile=profile).prefetch_related("lines").order_by("placed_at", "pk")
    memberships = SegmentMember.objects.filter(profile=profile).select_related("segment").order_by("segment_id")
    return {
        "profile": _plain(profile, exclude={"id"}),
        "consent": [_plain(c, exclude={"id", "profile"})
                    for c in ChannelConsent.objects.filter(profile=profile).order_by("channel")],
        "consent_history": [_plain(r, exclude={"id", "profile"})
                            for r in ConsentRecord.objects.filter(profile=profile).order_by("at", "pk")],
        "deliveries": [{**_plain(d, exclude={"id", "profile", "campaign", "run"}),
                        "campaign": d.campaign.name if d.campaign else None,
                        "automation": d.run.automation.kind if d.run else None,
                        "events": [_plain(e, exclude={"id", "delivery"}) for e in d.events.order_by("occurred_at", "pk")]}
                       for d in Delivery.objects.filter(profile=profile).select_related(
                           "campaign", "run__automation").prefetch_related("events").order_by("pk")],
        "automation_runs": [{**_plain(r, exclude={"id", "profile", "automation"}), "automation": r.automation.kind}
                            for r in AutomationRun.objects.filter(profile=profile).select_related(
                                "automation").order_by("created_at", "pk")],
        "suppressed": _suppression(profile.email),
        "spend": [_plain(s, exclude={"id", "profile"})
                  for s in CustomerSpend.objects.filter(profile=profile).order_by("currency")],
        "orders": [
            {**_plain(o, exclude={"id", "profile"}),
             "lines": [_plain(line, exclude={"id", "order"}) for line in o.lines.all()]}
            for o in orders
        ],
        "checkouts": [_plain(c, exclude={"id", "profile"})
                      for c in CRMCheckout.objects.filter(profile=profile).order_by("started_at", "pk")],
        "events": [_event(e) for e in events],
        "notes": [_plain(n, exclude={"id", "profile"})
                  for n in CustomerNote.objects.filter(profile=profile).order_by("created_at", "pk")],
        "analytics": [_plain(a, exclude={"id", "profile"})
                      for a in CustomerAnalytics.objects.filter(profile=profile).order_by("currency")],
        "propensity": [_plain(a, exclude={"id", "profile"})
                       for a in CustomerPropensity.objects.filter(profile=profile)],
        "segments": [{"segment": m.segment.name, "since": m.since.isoformat()} for m in memberships],
        "service_requests": [
            {**_plain(r, exclude={"id", "profile"}),
             "messages": [_plain(m, exclude={"id", "request"}) for m in r.messages.order_by("created_at", "pk")]}
            for r in ServiceRequest.objects.filter(profile=profile).order_by("created_at", "pk")
        ],
        "survey_responses": [_plain(a, exclude={"id", "profile"})
                             for a in SurveyResponse.objects.filter(profile=profile).order_by("answered_at", "pk")],
    }


def _suppression(email: str | None) -> dict | None:
    row = Suppression.objects.filter(email_hash=email_hash(email)).first() if email else None
    return None if row is None else {"reason": row.reason, "since": row.created_at.isoformat()}


def _event(event: CRMEvent) -> dict:
    return {
        "kind": event.kind,
        "status": event.status,
        "source": event.source,
        "occurred_at": event.occurred_at.isoformat(),
        # Only folded payloads are known to parse; a rejected one is shown as it came.
        "summary": summarize_payload(event.payload) if event.status == CRMEvent.Status.PROCESSED else "",
        "payload": event.payload,
        "raw": event.raw,
        "error_code": event.error_code,
        "error_message": event.error_message,
    }


def _plain(instance, exclude=frozenset()) -> dict:
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in exclude:
            continue
        value = getattr(instance, f.attname)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        data[f.name] = value
    return data

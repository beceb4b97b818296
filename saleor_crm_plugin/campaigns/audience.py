"""Who may get a campaign mail: the rules applied when the audience is frozen and again at send time.

One SQL expression decides, for a delivery row joined to its profile, why it
must not be sent (erased, no address, no consent in the campaign's channel,
suppressed, over the frequency cap) or NULL when it may be. Freezing stores
the reason on each skipped row; the sender evaluates it again when it claims
a row, so an unsubscribe, a bounce or another campaign's mail that happened
in between is honoured.
"""

from django.db import connection, transaction
from django.utils import timezone

from ..config import get_setting
from ..models import Campaign, Segment
from ..segments.membership import refresh_segment

# %(cap)s (mails), %(cap_days)s and %(campaign)s (0 for an automation's mail) are bound by the caller;
# p is the profile, {email} the address the mail goes to, {channel} the channel whose consent counts.
SKIP_REASON_SQL = """
CASE
    WHEN p.id IS NULL OR p.erased_at IS NOT NULL THEN 'erased'
    WHEN {email} IS NULL OR {email} = '' THEN 'no_email'
    WHEN NOT EXISTS (SELECT 1 FROM crm_channel_consent cc WHERE cc.profile_id = p.id
                     AND cc.channel = {channel} AND cc.state = 'subscribed') THEN 'no_consent'
    WHEN EXISTS (SELECT 1 FROM crm_suppression s
                 WHERE s.email_hash = encode(sha256(convert_to({email}, 'UTF8')), 'hex')) THEN 'suppressed'
    WHEN %(cap)s > 0 AND (SELECT count(*) FROM crm_delivery f WHERE f.profile_id = p.id
                          AND f.sent_at > now() - make_interval(days => %(cap_days)s)
                          AND f.campaign_id IS DISTINCT FROM %(campaign)s) >= %(cap)s THEN 'frequency_cap'
END"""

FREEZE_SQL = f"""
INSERT INTO crm_delivery (campaign_id, profile_id, email, state, skip_reason, attempts, created_at,
                          message_id, provider_message_id, error)
SELECT %(campaign)s, p.id, p.email, CASE WHEN r.reason IS NULL THEN 'queued' ELSE 'skipped' END,
       COALESCE(r.reason, ''), 0, now(), '', '', ''
FROM crm_customer_profile p
CROSS JOIN LATERAL (SELECT {SKIP_REASON_SQL.format(email="p.email", channel="%(channel)s")} AS reason) r
WHERE p.id IN (SELECT profile_id FROM crm_segment_member WHERE segment_id = ANY(%(include)s))
  AND p.id NOT IN (SELECT profile_id FROM crm_segment_member WHERE segment_id = ANY(%(exclude)s))
ORDER BY p.id
ON CONFLICT (campaign_id, profile_id) DO NOTHING
"""


def rule_params(campaign: Campaign) -> dict:
    """The bound values of ``SKIP_REASON_SQL`` for ``campaign``."""
    return {"channel": campaign.channel, "campaign": campaign.pk,
            "cap": get_setting("frequency_cap_count"), "cap_days": get_setting("frequency_cap_days")}


def freeze_audience(campaign: Campaign) -> int:
    """Insert one delivery row per recipient (skipped ones with their reason); returns rows added.

    The segments are refreshed first, so relative rules ("ordered within
    the last 30 days") are judged today. Runs in the caller's transaction;
    the unique (campaign, customer) key makes a repeated freeze add nothing.
    """
    now = timezone.now()
    for segment in Segment.objects.filter(pk__in=[*campaign.segment_ids, *campaign.exclude_segment_ids]):
        refresh_segment(segment, now=now)
    with connection.cursor() as cursor:
        cursor.execute(FREEZE_SQL, {**rule_params(campaign), "include": list(campaign.segment_ids),
                                    "exclude": list(campaign.exclude_segment_ids) or [0]})
        return cursor.rowcount


def audience_preview(campaign: Campaign) -> dict:
    """How many would be sent and skipped (by reason) if the campaign started now; writes nothing."""
    with transaction.atomic():
        sid = transaction.savepoint()
        freeze_audience(campaign)
        with connection.cursor() as cursor:
            cursor.execute("SELECT state, skip_reason, count(*) FROM crm_delivery WHERE campaign_id = %s "
                           "GROUP BY 1, 2", [campaign.pk])
            rows = cursor.fetchall()
        transaction.savepoint_rollback(sid)
    return {"queued": sum(n for state, _, n in rows if state == "queued"),
            "skipped_by_reason": {reason: n for state, reason, n in rows if state == "skipped"}}

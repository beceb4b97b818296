"""Who may get a campaign mail: the rules applied when the audience is frozen and again at send time.

One SQL expression decides, for a delivery row joined to its profile, why it
must not be sent (erased, no address, no consent in the campaign's channel,
suppressed, over the frequency cap) or NULL when it may be. At freeze, two
campaign options then set more aside: outside "the X% most likely to respond"
(``low_propensity``) and the random holdout (``holdout``), never mailed. Freezing stores
the reason on each skipped row; the sender evaluates it again when it claims
a row, so an unsubscribe, a bounce or another campaign's mail that happened
in between is honoured.
"""

import hashlib

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

# A customer's place in a campaign's holdout: the first 32 bits of sha256("holdout:<campaign>:<profile>") mod 10,000,
# below the holdout share in basis points. Deterministic per campaign and customer, independent across campaigns
# (``in_holdout`` is the same rule in Python).
HOLDOUT_SQL = ("(('x' || left(encode(sha256(convert_to('holdout:' || {campaign} || ':' || {profile}, 'UTF8')), "
               "'hex'), 8))::bit(32)::bigint %% 10000) < {percent} * 100")

# The eligible members are ranked by response propensity (no score: last) when only the top share is sent to;
# the holdout is drawn among those who would be mailed, so mailed and held-out customers are alike.
FREEZE_SQL = f"""
WITH members AS MATERIALIZED (
    SELECT p.id, p.email, r.reason
    FROM crm_customer_profile p
    CROSS JOIN LATERAL (SELECT {SKIP_REASON_SQL.format(email="p.email", channel="%(channel)s")} AS reason) r
    WHERE p.id IN (SELECT profile_id FROM crm_segment_member WHERE segment_id = ANY(%(include)s))
      AND p.id NOT IN (SELECT profile_id FROM crm_segment_member WHERE segment_id = ANY(%(exclude)s))
), ranked AS (
    SELECT m.id, row_number() OVER (ORDER BY cp.probability DESC NULLS LAST, m.id) AS place,
           count(*) OVER () AS eligible
    FROM members m LEFT JOIN crm_customer_propensity cp ON cp.profile_id = m.id
    WHERE m.reason IS NULL AND %(top)s::int IS NOT NULL
), judged AS (
    SELECT m.id, m.email, COALESCE(
        m.reason,
        CASE WHEN ranked.place > ceil(ranked.eligible * %(top)s::int / 100.0) THEN 'low_propensity' END,
        CASE WHEN {HOLDOUT_SQL.format(campaign="%(campaign)s::bigint", profile="m.id", percent="%(holdout)s::int")}
             THEN 'holdout' END) AS reason
    FROM members m LEFT JOIN ranked ON ranked.id = m.id
)
INSERT INTO crm_delivery (campaign_id, profile_id, email, state, skip_reason, attempts, created_at,
                          message_id, provider_message_id, error)
SELECT %(campaign)s, j.id, j.email, CASE WHEN j.reason IS NULL THEN 'queued' ELSE 'skipped' END,
       COALESCE(j.reason, ''), 0, now(), '', '', ''
FROM judged j
ORDER BY j.id
ON CONFLICT (campaign_id, profile_id) DO NOTHING
"""


def in_holdout(campaign_id: int, profile_id: int, percent: int) -> bool:
    """Whether the customer is in the campaign's holdout of ``percent`` (the rule ``FREEZE_SQL`` applies)."""
    digest = hashlib.sha256(f"holdout:{campaign_id}:{profile_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 10000 < percent * 100


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
                                    "exclude": list(campaign.exclude_segment_ids) or [0],
                                    "top": campaign.audience_top_percent, "holdout": campaign.holdout_percent})
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

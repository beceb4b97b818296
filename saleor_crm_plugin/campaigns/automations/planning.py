"""Planning: every trigger that holds now becomes one scheduled run per step, under its unique key.

Each kind's trigger is one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
over the CRM's own tables, run by the periodic pass: the key (automation,
trigger, step) makes a second pass, a repeated or a late event add nothing,
and no trigger is lost while a worker is down (the next pass finds it). The
scans skip triggers that already have their run before building anything
(``NOT EXISTS`` on the key's index); ``ON CONFLICT`` covers two passes at once. The
scans read through partial indexes on what is new: open checkouts by last
change, fulfilled orders by fulfilment time, consent records by time;
win-back reads the scores once an hour.
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from ...models import Automation, AutomationKind
from ...models.order import counted_sql
from .kinds import KINDS, option

WIN_BACK_EVERY = timedelta(hours=1)

_INSERT = """INSERT INTO crm_automation_run (automation_id, step, trigger_key, profile_id, channel, due_at, state,
                                reason, context, created_at)"""
_CHANNELS = "(cardinality(%(channels)s::text[]) = 0 OR {column} = ANY(%(channels)s::text[]))"

ABANDONED_SQL = f"""{_INSERT}
SELECT %(automation)s, 1, 'checkout:' || c.token, c.profile_id, c.channel,
       c.last_change + make_interval(secs => %(delay)s), 'scheduled', '',
       jsonb_build_object('checkout', c.token, 'last_change', c.last_change, 'lines', c.lines,
                          'total', c.total_gross, 'currency', c.currency), now()
FROM crm_checkout c JOIN crm_customer_profile p ON p.id = c.profile_id AND p.erased_at IS NULL
WHERE c.completed_at IS NULL AND c.lines_count > 0
  AND c.last_change >= %(since)s AND c.last_change <= now() - make_interval(secs => %(delay)s)
  AND {_CHANNELS.format(column="c.channel")}
  AND NOT EXISTS (SELECT 1 FROM crm_automation_run r WHERE r.automation_id = %(automation)s
                  AND r.trigger_key = 'checkout:' || c.token AND r.step = 1)
  AND NOT EXISTS (SELECT 1 FROM crm_order o WHERE o.profile_id = c.profile_id AND o.placed_at >= c.last_change)
ON CONFLICT (automation_id, trigger_key, step) DO NOTHING
"""

# Step 2 of a cart reminder: planned once step 1's mail was sent, from the same cart snapshot.
SECOND_REMINDER_SQL = f"""{_INSERT}
SELECT r.automation_id, 2, r.trigger_key, r.profile_id, r.channel, d.sent_at + make_interval(secs => %(delay)s),
       'scheduled', '', r.context, now()
FROM crm_automation_run r JOIN crm_delivery d ON d.run_id = r.id AND d.state = 'sent'
WHERE r.automation_id = %(automation)s AND r.step = 1 AND r.created_at >= %(since)s
ON CONFLICT (automation_id, trigger_key, step) DO NOTHING
"""

# Post-purchase and the survey: a counted order, fulfilled since switch-on (crm_order_fulfilled_idx).
FULFILLED_SQL = f"""{_INSERT}
SELECT %(automation)s, 1, 'order:' || o.order_id, o.profile_id, o.channel,
       o.fulfilled_at + make_interval(secs => %(delay)s), 'scheduled', '',
       jsonb_build_object('order', o.order_id, 'number', o.number, 'scale', %(scale)s), now()
FROM crm_order o JOIN crm_customer_profile p ON p.id = o.profile_id AND p.erased_at IS NULL
WHERE o.fulfilled_at >= %(since)s AND {counted_sql("o")} AND {_CHANNELS.format(column="o.channel")}
  AND NOT EXISTS (SELECT 1 FROM crm_automation_run r WHERE r.automation_id = %(automation)s AND r.step = 1
                  AND r.trigger_key = 'order:' || o.order_id)
ON CONFLICT (automation_id, trigger_key, step) DO NOTHING
"""

# Win-back, once per lapse: the lapse is named by the last order's time, so ordering again starts a new one.
WIN_BACK_SQL = f"""{_INSERT}
SELECT %(automation)s, 1, 'lapse:' || p.id || ':' || floor(extract(epoch FROM p.last_order_at))::bigint, p.id,
       last.channel, now(), 'scheduled', '',
       jsonb_build_object('last_order_at', p.last_order_at, 'churn_risk', lapsed.churn_risk), now()
FROM (SELECT a.profile_id, max(a.churn_risk) AS churn_risk FROM crm_customer_analytics a
      WHERE a.churn_risk >= %(churn_risk)s
         OR a.next_order_at < now() - make_interval(days => %(overdue_days)s)
      GROUP BY a.profile_id) lapsed
JOIN crm_customer_profile p ON p.id = lapsed.profile_id AND p.erased_at IS NULL AND p.last_order_at IS NOT NULL
CROSS JOIN LATERAL (SELECT o.channel FROM crm_order o WHERE o.profile_id = p.id
                    ORDER BY o.placed_at DESC, o.id DESC LIMIT 1) last
WHERE {_CHANNELS.format(column="last.channel")}
  AND NOT EXISTS (SELECT 1 FROM crm_automation_run r WHERE r.automation_id = %(automation)s AND r.step = 1
                  AND r.trigger_key = 'lapse:' || p.id || ':' || floor(extract(epoch FROM p.last_order_at))::bigint)
ON CONFLICT (automation_id, trigger_key, step) DO NOTHING
"""

# Welcome, once per customer: a subscription in a channel (not an import), or an account created.
WELCOME_SQL = f"""{_INSERT}
SELECT DISTINCT ON (w.profile_id) %(automation)s, 1, 'welcome:' || w.profile_id, w.profile_id, w.channel,
       w.at + make_interval(secs => %(delay)s), 'scheduled', '', jsonb_build_object('source', w.source), now()
FROM (
    SELECT r.profile_id, r.channel, r.at, r.source FROM crm_consent_record r
    WHERE r.at >= %(since)s AND r.state = 'subscribed' AND r.source <> 'import'
      AND {_CHANNELS.format(column="r.channel")}
    UNION ALL
    SELECT e.profile_id, '', e.occurred_at, 'account' FROM crm_event e
    WHERE e.kind = 'customer.created' AND e.status = 'processed' AND e.occurred_at >= %(since)s
      AND e.profile_id IS NOT NULL
) w JOIN crm_customer_profile p ON p.id = w.profile_id AND p.erased_at IS NULL
ORDER BY w.profile_id, w.at
ON CONFLICT (automation_id, trigger_key, step) DO NOTHING
"""


def plan(now=None) -> dict[str, int]:
    """Plan the runs of every switched-on automation; returns runs added per kind."""
    now = now or timezone.now()
    added = {}
    for automation in Automation.objects.filter(enabled=True).prefetch_related("steps"):
        added[automation.kind] = plan_one(automation, now)
    return added


def plan_one(automation: Automation, now) -> int:
    steps = {s.position: s for s in automation.steps.all() if s.enabled}
    first = steps.get(1)
    if first is None or automation.enabled_at is None:
        return 0
    kind = automation.kind
    max_age = timedelta(days=option(automation, "max_age_days")) if any(
        o.name == "max_age_days" for o in KINDS[kind].options) else None
    since = max(automation.enabled_at, now - max_age) if max_age else automation.enabled_at
    params = {"automation": automation.pk, "delay": first.delay_seconds, "since": since,
              "channels": list(automation.channels)}
    with connection.cursor() as cursor:
        if kind == AutomationKind.ABANDONED_CHECKOUT:
            cursor.execute(ABANDONED_SQL, params)
            added = cursor.rowcount
            if 2 in steps:
                cursor.execute(SECOND_REMINDER_SQL, {**params, "delay": steps[2].delay_seconds})
                added += cursor.rowcount
            return added
        if kind in (AutomationKind.POST_PURCHASE, AutomationKind.SATISFACTION_SURVEY):
            scale = option(automation, "scale") if kind == AutomationKind.SATISFACTION_SURVEY else ""
            cursor.execute(FULFILLED_SQL, {**params, "scale": scale})
            return cursor.rowcount
        if kind == AutomationKind.WELCOME:
            cursor.execute(WELCOME_SQL, params)
            return cursor.rowcount
        if kind == AutomationKind.WIN_BACK:
            if automation.planned_at and now - automation.planned_at < WIN_BACK_EVERY:
                return 0
            cursor.execute(WIN_BACK_SQL, {**params, "churn_risk": option(automation, "churn_risk"),
                                          "overdue_days": option(automation, "overdue_days")})
            added = cursor.rowcount
            Automation.objects.filter(pk=automation.pk).update(planned_at=now)
            return added
    return 0

"""Customers' timelines: every interaction in readable form, newest first.

``timelines`` reads any number of customers in a fixed number of queries (one
per source: events, abandoned checkouts, service messages, survey answers,
automation runs), each source at most ``limit`` rows per customer through an
index scan per customer (``LATERAL … LIMIT``), so a page of 100 customers asking
for 100 entries each reads at most 100 × 100 rows per source, however long
their histories are.
"""

import orjson
from django.db import connection

from ..models import AutomationKind, CustomerProfile
from ..normalized.summaries import summarize_payload

EXCERPT = 80  # characters of a message shown in the timeline

# One LATERAL scan per customer over an index starting with its id; ``%(rows)s`` is a source's newest rows.
_PER_PROFILE = "SELECT p.id, s.* FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN LATERAL ({rows} LIMIT %s) s"
_EVENTS = ("SELECT e.occurred_at, e.kind, e.payload FROM crm_event e WHERE e.profile_id = p.id "
           "AND e.status = 'processed' ORDER BY e.occurred_at DESC, e.id DESC")
_CHECKOUTS = ("SELECT c.abandoned_at, c.lines_count, c.total_gross, c.currency FROM crm_checkout c "
              "WHERE c.profile_id = p.id AND c.abandoned_at IS NOT NULL AND c.completed_at IS NULL "
              "ORDER BY c.abandoned_at DESC, c.id DESC")
# A message opens its request when no earlier one exists (crm_service_message_req_idx answers that).
_MESSAGES = ("SELECT m.created_at, m.direction, m.state, m.author, m.body, r.id AS request, r.kind, r.subject, "
             "NOT EXISTS (SELECT 1 FROM crm_service_message f WHERE f.request_id = m.request_id "
             "AND (f.created_at, f.id) < (m.created_at, m.id)) AS opener "
             "FROM crm_service_request r JOIN crm_service_message m ON m.request_id = r.id "
             "WHERE r.profile_id = p.id ORDER BY m.created_at DESC, m.id DESC")
_SURVEYS = ("SELECT s.answered_at, s.kind, s.score, s.comment FROM crm_survey_response s WHERE s.profile_id = p.id "
            "ORDER BY s.answered_at DESC, s.id DESC")
_RUNS = ("SELECT r.created_at, r.step, r.state, r.reason, r.finished_at, r.due_at, a.kind, d.state AS fate, "
         "d.sent_at FROM crm_automation_run r JOIN crm_automation a ON a.id = r.automation_id "
         "LEFT JOIN crm_delivery d ON d.run_id = r.id WHERE r.profile_id = p.id AND r.state <> 'scheduled' "
         "ORDER BY r.created_at DESC, r.id DESC")
QUERIES_PER_PAGE = 5  # one per source, whatever the number of customers


def timeline(profile: CustomerProfile, *, limit: int = 50) -> list[dict]:
    """Readable entries for ``profile`` (``{"at", "kind", "text"}``), newest first, at most ``limit``."""
    return timelines([profile.pk], limit=limit)[profile.pk]


def timelines(profile_ids, *, limit: int = 50) -> dict[int, list[dict]]:
    """Each profile's timeline (newest first, at most ``limit`` entries) in ``QUERIES_PER_PAGE`` queries."""
    ids = sorted({int(pk) for pk in profile_ids})
    entries: dict[int, list[dict]] = {pk: [] for pk in ids}
    if ids:
        for source, render in ((_EVENTS, _event), (_CHECKOUTS, _checkout), (_MESSAGES, _message),
                               (_SURVEYS, _survey), (_RUNS, _run)):
            for pk, row in _newest(source, ids, limit):
                entry = render(row)
                if entry is not None:
                    entries[pk].append(entry)
    for pk, found in entries.items():
        found.sort(key=lambda entry: entry["at"], reverse=True)
        del found[limit:]
    return entries


def _newest(rows_sql: str, ids: list[int], limit: int):
    """(profile id, row as a dict) for each profile's newest ``limit`` rows of a source."""
    with connection.cursor() as cursor:
        cursor.execute(_PER_PROFILE.format(rows=rows_sql), [ids, limit])
        names = [column.name for column in cursor.description][1:]
        for row in cursor.fetchall():
            yield row[0], dict(zip(names, row[1:]))


def _event(row) -> dict | None:
    payload = row["payload"]  # jsonb comes as text through a plain cursor (Django decodes it in JSONField)
    text = summarize_payload(orjson.loads(payload) if isinstance(payload, str) else payload)
    return {"at": row["occurred_at"], "kind": row["kind"], "text": text} if text else None


def _checkout(row) -> dict:
    return {"at": row["abandoned_at"], "kind": "checkout.abandoned",
            "text": f"Abandoned a checkout: {row['lines_count']} line(s), {row['total_gross']:.2f} {row['currency']}"}


def _message(row) -> dict:
    """A service request's message: the first one opens the request."""
    request, excerpt = row["request"], _excerpt(row["body"])
    if row["direction"] == "outbound":
        text = f"Reply from {row['author'] or 'the shop'} ({row['state']}) to #{request}: {excerpt}"
    elif row["opener"]:
        text = f"Opened {row['kind'].replace('_', ' ')} #{request} \"{row['subject']}\": {excerpt}"
    else:
        text = f"Wrote on #{request}: {excerpt}"
    return {"at": row["created_at"], "kind": f"support.{row['direction']}", "text": text}


def _survey(row) -> dict:
    scale = 5 if row["kind"] == "csat" else 10
    comment = f": {_excerpt(row['comment'])}" if row["comment"] else ""
    return {"at": row["answered_at"], "kind": f"survey.{row['kind']}",
            "text": f"Rated {row['kind'].upper()} {row['score']} of {scale}{comment}"}


def _run(row) -> dict:
    """An automation mail: sent (with the mail's fate), skipped or cancelled, each with its reason."""
    title = f"{AutomationKind(row['kind']).label} mail (step {row['step']})"
    if row["state"] == "mailed":
        text = f"{title}: {row['fate'] or 'queued'}"
    else:
        text = f"{title} {row['state']}: {row['reason'].replace('_', ' ')}"
    at = row["sent_at"] or row["finished_at"] or row["due_at"]
    return {"at": at, "kind": f"automation.{row['state']}", "text": text}


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1] + "…"


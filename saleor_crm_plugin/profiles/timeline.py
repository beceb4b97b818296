"""Customers' timelines: one record of every touch, newest first.

A timeline holds one entry per business fact — an order placed, paid, fulfilled, refunded or cancelled, a
checkout abandoned, an account created — and every contact: campaign and automation mails, what the mail
provider reported (clicks, bounces, complaints), consent given and withdrawn, service requests and replies,
survey answers. ``raw=True`` shows the stored events as they came (``order.fully_paid``,
``checkout.updated``) in place of the business facts; the contacts stay. The words are in
``timeline_words``.

``timelines`` reads any number of customers in a fixed number of queries (``QUERIES_PER_PAGE``, one per
source), each source at most ``limit`` rows per customer through an index scan per customer
(``LATERAL … LIMIT``), so a page of 100 customers asking for 100 entries each reads at most 100 × 100 rows
per source, however long their histories are.
"""

from django.db import connection

from ..models import CustomerProfile
from . import timeline_words as words

# One LATERAL scan per customer over an index starting with its id; ``{rows}`` is a source's newest rows.
_PER_PROFILE = "SELECT p.id, s.* FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN LATERAL ({rows} LIMIT %s) s"
_EVENT_ROWS = ("SELECT e.occurred_at, e.kind, e.payload FROM crm_event e WHERE e.profile_id = p.id "
               "AND e.status = 'processed' {only} ORDER BY e.occurred_at DESC, e.id DESC")
_RAW_EVENTS = _EVENT_ROWS.format(only="")
_FACT_EVENTS = _EVENT_ROWS.format(only="AND e.kind IN ({})".format(", ".join(f"'{k}'" for k in words.FACT_KINDS)))
_CHECKOUTS = ("SELECT c.abandoned_at, c.lines_count, c.total_gross, c.currency FROM crm_checkout c "
              "WHERE c.profile_id = p.id AND c.abandoned_at IS NOT NULL AND c.completed_at IS NULL "
              "ORDER BY c.abandoned_at DESC, c.id DESC")
# Campaign mails sent (automation mails come with their runs), and what was reported about any mail: both
# through crm_delivery_profile_sent_idx, the reports through crm_delivery_event_idx.
_MAILS = ("SELECT * FROM ("
          "SELECT d.sent_at AS at, NULL AS event, d.state, '' AS url, c.name AS campaign, NULL AS automation, "
          "d.id AS delivery, 0 AS seq FROM crm_delivery d JOIN crm_campaign c ON c.id = d.campaign_id "
          "WHERE d.profile_id = p.id AND d.sent_at IS NOT NULL "
          "UNION ALL "
          "SELECT v.occurred_at, v.kind, d.state, v.url, c.name, a.kind, d.id, v.id FROM crm_delivery d "
          "JOIN crm_delivery_event v ON v.delivery_id = d.id AND v.kind IN ({kinds}) "
          "LEFT JOIN crm_campaign c ON c.id = d.campaign_id LEFT JOIN crm_automation_run r ON r.id = d.run_id "
          "LEFT JOIN crm_automation a ON a.id = r.automation_id "
          "WHERE d.profile_id = p.id AND d.sent_at IS NOT NULL) m "
          "ORDER BY m.at DESC, m.delivery DESC, m.seq DESC").format(
    kinds=", ".join(f"'{k}'" for k in words.MAIL_EVENT_KINDS))
# The campaign whose one-click link withdrew a consent is in the record's detail.
_CONSENTS = ("SELECT r.at, r.channel, r.state, r.source, c.name AS campaign FROM crm_consent_record r "
             "LEFT JOIN crm_campaign c ON jsonb_typeof(r.detail -> 'campaign') = 'number' "
             "AND c.id = (r.detail ->> 'campaign')::bigint "
             "WHERE r.profile_id = p.id ORDER BY r.at DESC, r.id DESC")
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
CONTACTS = ((_CHECKOUTS, words.checkout), (_MAILS, words.mail), (_CONSENTS, words.consent),
            (_MESSAGES, words.message), (_SURVEYS, words.survey), (_RUNS, words.run))
QUERIES_PER_PAGE = 1 + len(CONTACTS)  # one per source, whatever the number of customers


def timeline(profile: CustomerProfile, *, limit: int = 50, raw: bool = False) -> list[dict]:
    """Entries for ``profile`` (``{"at", "kind", "text"}``), newest first, at most ``limit``; ``raw``: the
    stored events as they came in place of the business facts."""
    return (raw_timelines if raw else timelines)([profile.pk], limit=limit)[profile.pk]


def timelines(profile_ids, *, limit: int = 50) -> dict[int, list[dict]]:
    """Each profile's timeline in words (newest first, at most ``limit`` entries) in ``QUERIES_PER_PAGE``
    queries: one line per business fact (an order's paid and fully-paid events are one "paid")."""
    ids = sorted({int(pk) for pk in profile_ids})
    entries: dict[int, list[dict]] = {pk: [] for pk in ids}
    if ids:
        seen: dict[int, dict] = {pk: {} for pk in ids}
        for pk, row in _newest(_FACT_EVENTS, ids, limit):  # newest first: the earliest of a fact wins
            found = words.fact(row)
            if found is not None:
                key, entry = found
                newer = seen[pk].get(key)
                if newer is not None and newer["kind"] == "order.refunded":  # refunds in full: one line
                    entry.update(kind=newer["kind"], text=newer["text"])
                seen[pk][key] = entry
        for pk, facts in seen.items():
            entries[pk].extend(facts.values())
    return _with_contacts(entries, ids, limit)


def raw_timelines(profile_ids, *, limit: int = 50) -> dict[int, list[dict]]:
    """Each profile's timeline with every stored event as it came (``order.fully_paid``) and the contacts,
    newest first, at most ``limit`` entries, in ``QUERIES_PER_PAGE`` queries."""
    ids = sorted({int(pk) for pk in profile_ids})
    entries: dict[int, list[dict]] = {pk: [] for pk in ids}
    if ids:
        for pk, row in _newest(_RAW_EVENTS, ids, limit):
            entry = words.raw_event(row)
            if entry is not None:
                entries[pk].append(entry)
    return _with_contacts(entries, ids, limit)


def _with_contacts(entries: dict[int, list[dict]], ids: list[int], limit: int) -> dict[int, list[dict]]:
    if ids:
        for source, render in CONTACTS:
            for pk, row in _newest(source, ids, limit):
                entry = render(row)
                if entry is not None and entry["at"] is not None:
                    entries[pk].append(entry)
    for found in entries.values():
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

"""Satisfaction as a measure: CSAT and NPS per customer, per month for the shop, per product category.

* CSAT: the average score (1–5) and the share of satisfied answers (4 or 5).
* NPS: % promoters (9–10) − % detractors (0–6), from −100 to 100; 7–8 are passives.

Every answer counts once per survey (a second click replaced the first).
Answers of erased customers still count: they carry no identity any more.
A category's figures come from the answered order's lines
(``crm_order_line.category``); an order with lines in two categories counts
for both, once each.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection

from ..models.support import SurveyResponse

SATISFIED_FROM = 4
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6
MAX_HISTORY = 100


@dataclass(frozen=True)
class Figures:
    """CSAT and NPS over a set of answers (None where there is no answer of that kind)."""

    csat_responses: int = 0
    csat_average: float | None = None
    csat_satisfied_percent: float | None = None
    nps_responses: int = 0
    nps: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0


def nps_group(score: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    return "promoter" if score >= PROMOTER_FROM else "detractor" if score <= DETRACTOR_UP_TO else "passive"


# One row of counts per group: what Figures are made of.
COUNTS = f"""count(*) FILTER (WHERE r.kind = 'csat') AS csat_n,
  avg(r.score) FILTER (WHERE r.kind = 'csat') AS csat_avg,
  count(*) FILTER (WHERE r.kind = 'csat' AND r.score >= {SATISFIED_FROM}) AS csat_ok,
  count(*) FILTER (WHERE r.kind = 'nps') AS nps_n,
  count(*) FILTER (WHERE r.kind = 'nps' AND r.score >= {PROMOTER_FROM}) AS promoters,
  count(*) FILTER (WHERE r.kind = 'nps' AND r.score <= {DETRACTOR_UP_TO}) AS detractors"""


def figures_of(csat_n, csat_avg, csat_ok, nps_n, promoters, detractors) -> Figures:
    """Figures from one row of ``COUNTS``."""
    return Figures(
        csat_responses=csat_n,
        csat_average=round(float(csat_avg), 2) if csat_n else None,
        csat_satisfied_percent=round(100.0 * csat_ok / csat_n, 1) if csat_n else None,
        nps_responses=nps_n,
        nps=round(100.0 * (promoters - detractors) / nps_n, 1) if nps_n else None,
        promoters=promoters, passives=nps_n - promoters - detractors, detractors=detractors,
    )


def _range_sql(since: datetime | None, until: datetime | None) -> tuple[str, list]:
    parts, params = [], []
    if since is not None:
        parts.append("r.answered_at >= %s")
        params.append(since)
    if until is not None:
        parts.append("r.answered_at < %s")
        params.append(until)
    return (" AND ".join(parts) or "TRUE"), params


def shop_by_month(since: datetime | None = None, until: datetime | None = None) -> list[tuple[date, Figures]]:
    """``[(first day of the month (UTC), Figures)]``, oldest first, for months with answers."""
    where, params = _range_sql(since, until)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (date_trunc('month', r.answered_at AT TIME ZONE 'UTC'))::date AS month, {COUNTS} "  # noqa: S608
            f"FROM crm_survey_response r WHERE {where} GROUP BY 1 ORDER BY 1", params)
        return [(row[0], figures_of(*row[1:])) for row in cursor.fetchall()]


def shop_total(since: datetime | None = None, until: datetime | None = None) -> Figures:
    """The shop's figures over the whole period."""
    where, params = _range_sql(since, until)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COUNTS} FROM crm_survey_response r WHERE {where}", params)  # noqa: S608
        return figures_of(*cursor.fetchone())


def by_category(since: datetime | None = None, until: datetime | None = None) -> list[tuple[str, Figures]]:
    """``[(category, Figures)]`` of answers about orders with lines in that category, most answers first."""
    where, params = _range_sql(since, until)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.category, {COUNTS} FROM ("  # noqa: S608
            "  SELECT DISTINCT r.id, l.category FROM crm_survey_response r"
            "  JOIN crm_order o ON o.order_id = r.order_id JOIN crm_order_line l ON l.order_id = o.id"
            f"  WHERE r.order_id <> '' AND l.category <> '' AND {where}"
            ") c JOIN crm_survey_response r ON r.id = c.id GROUP BY c.category ORDER BY count(*) DESC, c.category",
            params)
        return [(row[0], figures_of(*row[1:])) for row in cursor.fetchall()]


def customer_satisfaction(profile_id: int, *, limit: int = 20) -> dict:
    """``{"csat_latest", "nps_latest", "nps_group", "history"}`` of one customer; history newest first."""
    return customers_satisfaction([profile_id], limit=limit)[profile_id]


def customers_satisfaction(profile_ids, *, limit: int = 20) -> dict[int, dict]:
    """``customer_satisfaction`` of each profile, in two queries whatever their number (an index scan per
    customer on crm_survey_profile_idx for the latest scores, one for the history)."""
    ids = sorted({int(pk) for pk in profile_ids})
    found = {pk: {"csat_latest": None, "nps_latest": None, "nps_group": None, "history": []} for pk in ids}
    if not ids:
        return found
    history = SurveyResponse.objects.raw(
        "SELECT s.* FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN LATERAL (SELECT * FROM crm_survey_response r "
        "WHERE r.profile_id = p.id ORDER BY r.answered_at DESC, r.id DESC LIMIT %s) s "
        "ORDER BY s.profile_id, s.answered_at DESC, s.id DESC", [ids, min(limit, MAX_HISTORY)])
    for answer in history:
        found[answer.profile_id]["history"].append(answer)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, k.kind, s.score FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN (VALUES ('csat'), ('nps')) "
            "AS k(kind) CROSS JOIN LATERAL (SELECT r.score FROM crm_survey_response r WHERE r.profile_id = p.id "
            "AND r.kind = k.kind ORDER BY r.answered_at DESC, r.id DESC LIMIT 1) s", [ids])
        for pk, kind, score in cursor.fetchall():
            found[pk][f"{kind}_latest"] = score
    for figures in found.values():
        if figures["nps_latest"] is not None:
            figures["nps_group"] = nps_group(figures["nps_latest"])
    return found

"""Satisfaction surveys answered by clicking a score in a mail: CSAT (1–5) and NPS (0–10).

``survey_links`` gives the automation's mail one signed link per score. The
link opens a page confirming the score with an optional comment box; only
its button (a POST) stores the answer — a link scanner's GET stores nothing.
One answer per survey ``key``: a second click (or a changed mind) updates
the same row. A low score (CSAT ≤ 2, NPS ≤ 6) opens a ``low_score`` service
request, once per survey key.
"""

from django.db import transaction
from django.utils import timezone

from ..error_codes import SupportErrorCode
from ..errors import CRMError
from ..models import CustomerProfile
from ..models.support import ServiceRequestKind, SurveyKind, SurveyResponse
from ..normalized.fields import CHANNEL_RE
from . import links
from .requests import MAX_BODY, clean_text, open_request

SCORES = {SurveyKind.CSAT: range(1, 6), SurveyKind.NPS: range(0, 11)}
LOW = {SurveyKind.CSAT: 2, SurveyKind.NPS: 6}  # this score or lower opens a service request
MAX_KEY = 200
MAX_ORDER_ID = 64


def survey_key(kind: str, profile_id: int, order_id: str = "", key: str | None = None) -> str:
    """The survey's identity: ``key`` if given, else one survey of ``kind`` per customer and order."""
    return key or f"{kind}:{profile_id}:{order_id or '-'}"


def survey_links(profile_id: int, order_id: str | None, channel: str, kind: str, *,
                 key: str | None = None) -> dict[int, str]:
    """``{score: signed URL}`` for every score of ``kind`` (``"csat"``: 1–5, ``"nps"``: 0–10).

    ``order_id`` is Saleor's order id the survey is about (None for a
    general survey: then give a ``key`` per survey, e.g. ``"nps:42:2026-Q4"``,
    or one answer per customer is kept). Links work ``survey_link_days``.
    """
    payload = _payload(profile_id, order_id, channel, kind, key)
    return {score: links.link(links.SURVEY, {**payload, "s": score}) for score in SCORES[SurveyKind(payload["k"])]}


def survey_token(profile_id: int, order_id: str | None, channel: str, kind: str, *, key: str | None = None) -> str:
    """A signed token for the survey without a score (a storefront form passes the score to ``answer``)."""
    from ..campaigns import tokens

    return tokens.make_token(links.SURVEY, _payload(profile_id, order_id, channel, kind, key))


def _payload(profile_id, order_id, channel, kind, key) -> dict:
    if not isinstance(profile_id, int) or isinstance(profile_id, bool):
        raise CRMError(SupportErrorCode.INVALID, "profile_id is a profile's primary key.", "profile_id")
    try:
        kind = SurveyKind(kind)
    except ValueError:
        raise CRMError(SupportErrorCode.INVALID_KIND, "Surveys are csat or nps.", "kind") from None
    if channel and not CHANNEL_RE.fullmatch(channel):
        raise CRMError(SupportErrorCode.INVALID_CHANNEL, "Give a channel slug.", "channel")
    order_id = order_id or ""
    if not isinstance(order_id, str) or len(order_id) > MAX_ORDER_ID:
        raise CRMError(SupportErrorCode.INVALID, f"order_id holds at most {MAX_ORDER_ID} characters.", "order_id")
    key = survey_key(kind.value, profile_id, order_id, key)
    if len(key) > MAX_KEY:
        raise CRMError(SupportErrorCode.TOO_LONG, f"A survey key holds at most {MAX_KEY} characters.", "key")
    return {"p": profile_id, "o": order_id, "c": channel or "", "k": kind.value, "y": key}


def read_survey(token) -> dict:
    """The survey a token names: ``{profile_id, order_id, channel, kind, key, score}`` (score None when absent).

    ``INVALID_TOKEN`` / ``TOKEN_EXPIRED`` for a bad, foreign or old link.
    """
    payload = links.read(links.SURVEY, token)
    profile_id, order_id, channel, kind, key = (payload.get(k) for k in ("p", "o", "c", "k", "y"))
    score = payload.get("s")
    if (not isinstance(profile_id, int) or not all(isinstance(v, str) for v in (order_id, channel, kind, key))
            or kind not in SurveyKind.values or (score is not None and score not in SCORES[SurveyKind(kind)])):
        raise links.invalid()
    return {"profile_id": profile_id, "order_id": order_id, "channel": channel, "kind": kind, "key": key,
            "score": score}


def check_score(kind: str, score) -> int:
    """``score`` if it is one of ``kind``'s; ``INVALID_SCORE`` otherwise."""
    scores = SCORES[SurveyKind(kind)]
    if isinstance(score, bool) or not isinstance(score, int) or score not in scores:
        raise CRMError(SupportErrorCode.INVALID_SCORE,
                       f"A {kind.upper()} score is a whole number from {scores[0]} to {scores[-1]}.", "score")
    return score


def is_low(kind: str, score: int) -> bool:
    """Whether ``score`` is poor enough to open a service request."""
    return score <= LOW[SurveyKind(kind)]


def answer(token, score=None, comment=None) -> SurveyResponse:
    """Store the answer a link (or a storefront form) gives; returns the response row.

    ``score`` overrides the link's own (a form may offer every score); one
    of them is required. A second answer to the same survey updates the row.
    """
    survey = read_survey(token)
    chosen = score if score is not None else survey["score"]
    if chosen is None:
        raise CRMError(SupportErrorCode.REQUIRED, "Choose a score.", "score")
    score = check_score(survey["kind"], chosen)
    comment = clean_text(comment, "comment", limit=MAX_BODY, required=False)
    now = timezone.now()
    with transaction.atomic():
        if not CustomerProfile.objects.filter(pk=survey["profile_id"], erased_at__isnull=True).exists():
            raise links.invalid()  # erased since the mail was sent
        response, _ = SurveyResponse.objects.select_for_update().get_or_create(
            key=survey["key"], defaults={
                "profile_id": survey["profile_id"], "kind": survey["kind"], "score": score, "comment": comment,
                "order_id": survey["order_id"], "channel": survey["channel"], "answered_at": now})
        # A second click keeps the comment it does not replace.
        SurveyResponse.objects.filter(pk=response.pk).update(score=score, comment=comment or response.comment,
                                                             answered_at=now)
        response.refresh_from_db()
        if is_low(response.kind, response.score) and response.request_id is None:
            request = open_request(
                response.profile_id, kind=ServiceRequestKind.LOW_SCORE, channel=response.channel,
                order_id=response.order_id, via="survey",
                subject=f"{response.kind.upper()} score {response.score} of {SCORES[SurveyKind(response.kind)][-1]}",
                body=response.comment or f"The customer gave {response.score} and left no comment.")
            SurveyResponse.objects.filter(pk=response.pk).update(request=request)
            response.request = request
    return response

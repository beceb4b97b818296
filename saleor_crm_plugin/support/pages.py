"""The pages of the links in support mails, with no login: a survey score, and the answer to a staff reply.

As with the unsubscribe page: GET only shows the page (a link scanner that
fetches every link in a mail stores nothing); the page's button POSTs, and
only that stores. The signed token in the path is the proof (no cookie, no
CSRF token). A forged, tampered, foreign or expired token gets a 400 page
and changes nothing. Answers are limited per visitor and per link
(``rate_limits``): past the limit, a 429 page with ``Retry-After``. Served by the plugin's ``webhook()`` in Saleor and at
the same path by the standalone host.
"""

from django.http import HttpResponse
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe

from ..campaigns.pages import HEADERS, PAGE, route_link
from ..config import get_text_setting
from ..errors import CRMError
from ..rate_limits import RateLimited, client_of, take
from . import links, replies, surveys
from .requests import MAX_BODY

FORM = ('<form method="post"><p><label for="text">{label}</label></p>'
        '<p><textarea id="text" name="{name}" rows="6" maxlength="{limit}" style="width:100%"></textarea></p>'
        '<button type="submit">{button}</button></form>')
SCALES = {"csat": "5", "nps": "10"}


def _page(title: str, message, *, form=None, status: int = 200) -> HttpResponse:
    response = HttpResponse(format_html(PAGE, title=title, message=message, form=form or ""), status=status,
                            content_type="text/html; charset=utf-8")
    for name, value in HEADERS.items():
        response[name] = value
    return response


def _refused(error: CRMError) -> HttpResponse:
    if isinstance(error, RateLimited):
        response = _page("Please wait a moment", f"{error.message} Nothing was sent.", status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    if error.field != "token":  # the link is fine; what was typed is not (empty, too long)
        return _page("Please check your message", f"{error.message} Nothing was sent; go back to correct it.",
                     status=400)
    return _page("This link does not work", f"{error.message} Nothing was changed.", status=400)


def _shop() -> str:
    return get_text_setting("shop_name") or get_text_setting("from_name") or "the shop"


def survey_page(request, token: str) -> HttpResponse:
    """GET: confirm the link's score, with an optional comment; POST: store the answer."""
    try:
        survey = surveys.read_survey(token)
        if survey["score"] is None:
            raise links.invalid()  # a storefront form's token carries no score: not a page link
        if request.method == "POST":
            take(client=client_of(request), subject=f"link:{token}")
            surveys.answer(token, comment=request.POST.get("comment", ""))
            return _page("Thank you", f"Your answer helps {_shop()} get better.")
    except CRMError as error:
        return _refused(error)
    if request.method not in ("GET", "HEAD"):
        return _page("Not allowed", "Use the button on the page.", status=405)
    form = format_html(FORM, label="Anything to add? (optional)", name="comment", limit=MAX_BODY,
                       button="Send my answer")
    return _page("Your rating", f"You rate {_shop()} {survey['score']} out of {SCALES[survey['kind']]}. "
                 "Send it with the button below.", form=form)


def reply_page(request, token: str) -> HttpResponse:
    """GET: show the shop's reply and a box to answer it; POST: add the answer to the request's thread."""
    try:
        service_request, message = replies.reply_being_answered(token)
        if request.method == "POST":
            take(client=client_of(request), subject=f"link:{token}")
            replies.answer_by_link(token, request.POST.get("body", ""))
            return _page("Thank you", f"{_shop()} got your message and will answer by email.")
    except CRMError as error:
        return _refused(error)
    if request.method not in ("GET", "HEAD"):
        return _page("Not allowed", "Use the button on the page.", status=405)
    quoted = format_html("<blockquote>{}</blockquote>", mark_safe(linebreaks(message.body, autoescape=True)))  # noqa: S308 - escaped by linebreaks
    form = format_html(FORM, label="Your answer", name="body", limit=MAX_BODY, button="Send")
    return _page(f"Re: {service_request.subject}", format_html("{} wrote: {}", _shop(), quoted), form=form)


ROUTES = {links.PATHS[links.SURVEY]: survey_page, links.PATHS[links.REPLY]: reply_page}


def route(request, path: str) -> HttpResponse | None:
    """The survey or reply page for ``path`` under the plugin's path, or None when it is neither."""
    return route_link(ROUTES, request, path)

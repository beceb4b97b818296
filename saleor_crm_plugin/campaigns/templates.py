"""Mail templates: Handlebars sources checked and compiled once, rendered per recipient.

A template has four Handlebars sources: subject, preheader, body (MJML or
HTML) and an optional text part. They are merchant text and stay data: parsed
by dotpromptz-handlebars into a node tree and rendered by walking it
(``handlebars``, ``handlebars_render``), never turned into Python code.
``compile_template`` checks them all (syntax errors and unknown helpers are
refused with their line), turns MJML into responsive HTML
(mjml-python, i.e. mrml), inlines the CSS (css-inline; ``<style>`` is kept
for media queries), puts the preheader at the start of ``<body>`` as the
usual hidden preview text, and derives a text template from the HTML when
none is given. All of that happens once; what comes out
(``CompiledTemplate``, stored on ``Campaign.compiled``) is still Handlebars,
so a recipient costs one Handlebars render (``Renderer``). The Handlebars
side is in ``handlebars`` (our helpers, the checks) and ``handlebars_render``
(rendering within a budget of steps, output and time).

Writing templates:

* Variables: ``{{customer.greeting_name}}``, ``{{shop.name}}``,
  ``{{unsubscribe_url}}``, ``{{last_order.number}}``, ``{{#each
  recommendations}}…{{/each}}`` — see ``campaigns.context``. A missing
  variable renders empty.
* Helpers: Handlebars' ``if`` (and ``{{else if …}}``), ``unless``, ``each``
  (``@index``, ``as |item i|``), ``with``, ``lookup``, ``log`` (prints
  nothing) and ours: ``{{default customer.first_name "there"}}``,
  ``{{money last_order.total_amount last_order.currency}}`` (formatted for the
  shop's language), ``{{date last_order.placed_at}}`` ("5 March 2026"). Any
  other helper is refused.
* Handlebars in MJML: expressions may stand in text and in attribute values
  (``href="{{url}}"``, ``src="{{image_url}}"``). Inside an attribute, quote
  helper strings with single quotes (``href="{{default url '#'}}"``). A
  block helper between MJML components belongs inside ``<mj-raw>``::

      <mj-raw>{{#each recommendations}}</mj-raw>
      <mj-section><mj-column><mj-image src="{{image_url}}" href="{{url}}" />
        <mj-text><a href="{{url}}">{{name}}</a> {{price}}</mj-text></mj-column></mj-section>
      <mj-raw>{{/each}}</mj-raw>

  (Expressions are shielded from the MJML and CSS compilers by
  placeholders, so a bare one between components also survives; ``<mj-raw>``
  says what is meant and is what other MJML tools expect.) Expressions also
  work in ``<mj-title>``, ``<mj-style>`` and URL attributes such as
  ``background-url``; not in attributes MJML computes with (``width``,
  ``padding``): those are refused (INVALID_MJML).
* HTML values are escaped; the subject and the text part are not (they are
  not HTML).
* Refused with the line: syntax errors, unknown helpers, partials
  (``{{> x}}``, ``{{#*inline}}``) and decorators, blocks nested more than 24
  deep or loops more than 3 deep. A render that needs too many steps, makes
  too much text or takes too long stops with TEMPLATE_TOO_COSTLY.
"""

import html as html_lib
import re
import time
from dataclasses import dataclass
from functools import lru_cache

import css_inline
import html_text
import lxml.html
import mjml

from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..text import is_storable_text
from .handlebars import check_handlebars, is_valid, line_of
from .handlebars_render import MAX_SECONDS, compile_source
from .mail import RenderedMail

MAX_LINE_LENGTH = 500  # subject and preheader
MAX_BODY_LENGTH = 200_000  # body and text
FORMATS = ("mjml", "html")

PREHEADER_STYLE = ("display:none!important;visibility:hidden;opacity:0;color:transparent;height:0;width:0;"
                   "max-height:0;max-width:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px")

_MUSTACHE = re.compile(r"\{\{\{\{.*?\}\}\}\}|\{\{\{.*?\}\}\}|\{\{!--.*?--\}\}|\{\{.*?\}\}", re.S)
_PLACEHOLDER = re.compile(r"<!--hb:(\d+)-->|&lt;!--hb:(\d+)--&gt;|hbx(\d+)xhb")
_RAW_TEXT = re.compile(r"<(mj-style|mj-title|mj-preview|style|title)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_LONE_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_@][\w.@-]*)\s*\}\}")
_GLUE = "\ue000"  # a private-use character: never in a template's text
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)

_INLINER = css_inline.CSSInliner(keep_at_rules=True, keep_link_tags=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class CompiledTemplate:
    """Handlebars sources ready to render: subject, full HTML document, text ("" = derive from the HTML)."""

    subject: str
    html: str
    text: str

    def as_json(self) -> dict:
        """What ``Campaign.compiled`` stores."""
        return {"subject": self.subject, "html": self.html, "text": self.text}

    @classmethod
    def from_json(cls, data: dict) -> "CompiledTemplate":
        """The template stored by ``as_json``."""
        return cls(subject=data["subject"], html=data["html"], text=data.get("text", ""))


# --- helpers ---------------------------------------------------------------------------------------

def _check_source(field: str, value, *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise CRMError(CampaignErrorCode.INVALID, "Must be text.", field)
    if required and not value.strip():
        raise CRMError(CampaignErrorCode.REQUIRED, "Must not be empty.", field)
    if len(value) > limit:
        raise CRMError(CampaignErrorCode.OUT_OF_RANGE, f"At most {limit} characters.", field)
    if not is_storable_text(value):
        raise CRMError(CampaignErrorCode.INVALID, "Contains characters that cannot be stored (NUL, lone surrogate).",
                       field)
    check_handlebars(value, field)
    return value


# --- compilation -----------------------------------------------------------------------------------

def _shield(source: str) -> tuple[str, list[str]]:
    """Handlebars expressions replaced by placeholders that MJML and HTML parsers keep where they are.

    In text, an HTML comment: a parser moves stray text out of a table (a
    loop between rows would end up before it) but leaves a comment in place.
    Inside a tag (attribute values) and in elements that hold plain text
    (style, title, preview), a bare word, as a comment is not allowed there.
    """
    originals = []
    plain_text = [match.span() for match in _RAW_TEXT.finditer(source)]

    def keep(match):
        originals.append(match.group(0))
        index, at = len(originals) - 1, match.start()
        in_tag = source.rfind("<", 0, at) > source.rfind(">", 0, at)
        if in_tag or any(start < at < end for start, end in plain_text):
            return f"hbx{index}xhb"
        return f"<!--hb:{index}-->"

    return _MUSTACHE.sub(keep, source), originals


def _unshield(html: str, originals: list[str], source: str) -> str:
    seen = []

    def put_back(match):
        index = int(next(group for group in match.groups() if group is not None))
        seen.append(index)
        return originals[index]

    restored = _PLACEHOLDER.sub(put_back, html)
    # MJML may repeat an attribute (a background in CSS and VML, the title as a label): each expression
    # must be there at least once; a repeated block expression shows in the final parse.
    if set(seen) != set(range(len(originals))):
        lost = min(set(range(len(originals))) - set(seen) or {0})
        where = source.find(originals[lost]) if originals else 0
        raise CRMError(CampaignErrorCode.INVALID_MJML,
                       f"Line {line_of(source, where)}: {originals[lost]} is lost by the MJML/HTML compilation "
                       "(MJML computes with sizes itself); put Handlebars expressions in text, in URL "
                       "attributes or inside <mj-raw>.", "body")
    return restored


def _body_html(body: str, body_format: str) -> str:
    shielded, originals = _shield(body)
    if body_format == "mjml":
        try:
            shielded = mjml.mjml2html(shielded)
        except ValueError as error:
            raise CRMError(CampaignErrorCode.INVALID_MJML, f"The MJML compiler refuses it: {error}.", "body") from None
    try:
        inlined = _INLINER.inline(shielded)
    except ValueError as error:  # css_inline.InlineError is a ValueError: unreadable CSS
        raise CRMError(CampaignErrorCode.INVALID, f"The CSS cannot be inlined: {error}.", "body") from None
    return _unshield(inlined, originals, body)


def _with_preheader(html: str, preheader: str) -> str:
    if not preheader.strip():
        return html
    # The preheader's text is HTML-escaped here; its expressions are escaped when rendered.
    parts, position = [], 0
    for match in _MUSTACHE.finditer(preheader):
        parts.append(html_lib.escape(preheader[position:match.start()], quote=False))
        parts.append(match.group(0))
        position = match.end()
    parts.append(html_lib.escape(preheader[position:], quote=False))
    span = f'<span class="crm-preheader" style="{PREHEADER_STYLE}">{"".join(parts)}</span>'
    match = _BODY_OPEN.search(html)
    at = match.end() if match else 0
    return html[:at] + span + html[at:]


def html_to_text(html: str) -> str:
    """The text part of an HTML mail: links as "label (url)", hidden elements (the preheader) left out."""
    tree = lxml.html.document_fromstring(html)
    for element in tree.xpath("//*[@style]"):
        if _HIDDEN.search(element.get("style", "")) and element.getparent() is not None:
            element.drop_tree()
    for link in tree.xpath("//a[@href]"):
        href = link.get("href", "").strip()
        if not href or href.startswith("#"):
            continue
        label = link.text_content().strip()
        if label == href:
            continue
        target = f" ({href})" if label else href
        if variable := _LONE_VARIABLE.fullmatch(href):  # e.g. a product URL that may be unset: no "Blue ()"
            # html_text puts a space before a chunk; the sentinel lets the condition hold that space instead.
            target = f"{_GLUE}{{{{#if {variable.group(1)}}}}}{target}{{{{/if}}}}"
        link.tail = target + (link.tail or "")
    body = tree.body if tree.find("body") is not None else tree
    return html_text.extract_text(body).replace(f" {_GLUE}", "").replace(_GLUE, "").strip()


def _derived_text(html: str) -> str:
    """A text template from the HTML template, or "" when it would not be valid Handlebars (derive per mail)."""
    text = html_to_text(html)
    return text if is_valid(text) else ""


def compile_template(*, subject: str, preheader: str = "", body: str, body_format: str = "mjml",
                     text: str = "") -> CompiledTemplate:
    """Check a template's sources and compile them once (MJML → HTML, CSS inlined, preheader, text part).

    Raises ``CRMError`` (``CampaignErrorCode``) with the source's name as
    ``field``: REQUIRED, OUT_OF_RANGE, INVALID, TEMPLATE_SYNTAX and
    UNKNOWN_HELPER (with the line), INVALID_MJML.
    """
    if body_format not in FORMATS:
        raise CRMError(CampaignErrorCode.INVALID, f"Must be one of {', '.join(FORMATS)}.", "body_format")
    subject = _check_source("subject", subject, limit=MAX_LINE_LENGTH, required=True)
    preheader = _check_source("preheader", preheader, limit=MAX_LINE_LENGTH, required=False)
    body = _check_source("body", body, limit=MAX_BODY_LENGTH, required=True)
    text = _check_source("text", text, limit=MAX_BODY_LENGTH, required=False)
    html = _with_preheader(_body_html(body, body_format), preheader)
    compiled = CompiledTemplate(subject=subject, html=html, text=text if text.strip() else _derived_text(html))
    if not is_valid(html):  # our own processing must not have split an expression
        raise CRMError(CampaignErrorCode.INVALID_MJML, "The compiled HTML is no longer a valid template.", "body")
    renderer(compiled).render({})  # what rendering could still trip over shows now, not mid-campaign
    return compiled


# --- rendering -------------------------------------------------------------------------------------

class Renderer:
    """Renders one compiled template for many recipients (each source checked and compiled once).

    A source stored before a check existed (``Campaign.compiled`` of an
    older version) is checked here: ``CRMError`` with its line.
    """

    def __init__(self, compiled: CompiledTemplate):
        self.compiled = compiled
        self._subject = compile_source(compiled.subject, escape=False, field="subject")
        self._html = compile_source(compiled.html, escape=True, field="body")
        self._text = compile_source(compiled.text, escape=False, field="text") if compiled.text else None

    def render(self, context: dict) -> RenderedMail:
        """The mail for one recipient's variables (see ``campaigns.context``).

        Raises ``CRMError`` TEMPLATE_TOO_COSTLY when a part exceeds its budget
        (the parts of one mail share one deadline).
        """
        deadline = time.monotonic() + MAX_SECONDS
        html = self._html.render(context, deadline=deadline)
        # A header is one line: whatever the variables hold.
        subject = " ".join(self._subject.render(context, deadline=deadline).split())
        text = (self._text.render(context, deadline=deadline).strip() if self._text is not None
                else html_to_text(html))
        return RenderedMail(subject=subject, html=html, text=text)


@lru_cache(maxsize=16)
def renderer(compiled: CompiledTemplate) -> Renderer:
    """A shared ``Renderer`` for ``compiled`` (compiling costs tens of milliseconds; rendering does not)."""
    return Renderer(compiled)

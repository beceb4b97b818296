"""Handlebars for mail templates: our helpers, and the checks that refuse a bad source with its line.

A template is merchant text, and stays data: dotpromptz-handlebars (a pure
Python Handlebars parser and interpreter, Apache-2.0) parses it into a tree of
nodes, and ``handlebars_render`` walks that tree for each recipient. Nothing
is turned into Python code, ``exec``'d or ``eval``'d, and a path only reads
keys of dicts and items of lists (never an attribute), so no text in a
template can reach the interpreter.

``check_handlebars`` refuses, with ``CRMError`` and the line: a syntax
error, an unknown helper, ``if``/``unless``/``each``/``with`` without their
one value, partials of every form (``{{> x}}``, ``{{#> x}}``,
``{{#*inline}}``, dynamic ones) and decorators, and nesting beyond the
budgets of ``handlebars_render``. The library's parse errors say what but not
where, so the line is found here: the tags are scanned with their positions
and the shortest prefix the library refuses names the tag.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from django.conf import settings as django_settings
from django.utils import timezone
from dotpromptz_handlebars import Block, InlinePartial, Mustache, Partial, PartialBlock, TemplateRecursionError, Text
# The parser and its tokens' grammar; the public Handlebars.compile hides the tree this module checks.
from dotpromptz_handlebars._render import _call, compile_template as _parse_tree

from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..money import round_money

BLOCK_BUILTINS = frozenset({"if", "unless", "each", "with"})
BLOCK_PARAMS_ALLOWED = frozenset({"each", "with"})
DATE_FORMAT = "d MMMM y"  # "5 March 2026"; month names in the shop's language
MAX_PARSE_DEPTH = 64  # the library's own bound while parsing (an {{else}} counts as a level)
MAX_NESTING = 16  # blocks inside blocks
MAX_LOOP_NESTING = 3  # loops inside loops: 4 recommendations x 3 deep is 64 rounds; 10 items x 8 deep would be 10^8
MAX_SUBEXPRESSION_DEPTH = 8


@lru_cache(maxsize=1)
def _locale() -> Locale:
    try:
        return Locale.parse(getattr(django_settings, "LANGUAGE_CODE", "en") or "en", sep="-")
    except (ValueError, TypeError):  # babel's UnknownLocaleError is a ValueError
        return Locale.parse("en")


# --- helpers: fn(args, options), as dotpromptz-handlebars calls them; they never raise on odd data -------------

def format_money(amount, currency) -> str:
    """``amount`` in ``currency`` as the shop's language writes it ("$12.50", "12,50 €"); "" for no amount."""
    if amount is None or amount == "":
        return ""
    code = str(currency or "").upper()
    try:
        return format_currency(round_money(amount, code), code, locale=_locale())
    except (ValueError, ArithmeticError, TypeError):  # an unknown currency code: show the amount as it is
        return f"{amount} {code}".strip()


def _default(args, options=None):
    value = args[0] if args else None
    fallback = args[1] if len(args) > 1 else ""
    return fallback if value is None or value == "" else value


def _money(args, options=None):
    return format_money(args[0] if args else None, args[1] if len(args) > 1 else "")


def _date(args, options=None):
    value = args[0] if args else None
    pattern = args[1] if len(args) > 1 else DATE_FORMAT
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    try:
        if isinstance(value, datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if not isinstance(value, date):
            return ""
        try:
            return format_date(value, pattern if isinstance(pattern, str) and pattern else DATE_FORMAT,
                               locale=_locale())
        except (ValueError, AttributeError, TypeError, KeyError, IndexError):  # a bad pattern given by the template
            return format_date(value, DATE_FORMAT, locale=_locale())
    except (OverflowError, ValueError):  # a date at the edge of the calendar once moved to the shop's time zone
        return ""


def _lookup(args, options=None):
    """Handlebars' ``lookup``: an item of a dict or a list, never an attribute."""
    collection, key = (list(args) + [None, None])[:2]
    if not collection and collection != 0:
        return collection
    if isinstance(collection, dict):
        try:
            return collection.get(key)
        except TypeError:  # an unhashable key
            return None
    if isinstance(collection, list):
        try:
            index = int(key)
        except (TypeError, ValueError, OverflowError):
            return None
        if 0 <= index < len(collection):
            return collection[index]
    return None


def _log(args, options=None):
    """``{{log …}}`` is accepted and prints nothing (the library's own prints to the worker's stdout)."""
    return ""


HELPERS = {"default": _default, "money": _money, "date": _date, "lookup": _lookup, "log": _log}
ALLOWED_HELPERS = BLOCK_BUILTINS | frozenset(HELPERS)


# --- where things are: the tags of a source with their positions ------------------------------------------

@dataclass(frozen=True)
class Tag:
    """One ``{{…}}`` of a source: where it starts and ends (``end`` None: never closed) and what it holds."""

    start: int
    end: int | None
    body: str  # without braces, "~" and surrounding blanks
    raw_block: bool = False


def line_of(source: str, position: int) -> int:
    """The 1-based line of ``position`` in ``source``."""
    return source.count("\n", 0, position) + 1


def _inner(text: str) -> str:
    return text.removeprefix("~").removesuffix("~").strip()


def scan_tags(source: str) -> list[Tag]:
    """The tags as dotpromptz-handlebars' tokenizer finds them (the same escapes, comments, raw blocks)."""
    tags, i, n = [], 0, len(source)
    while i < n:
        start = source.find("{{", i)
        if start < 0:
            break
        slashes, j = 0, start - 1
        while j >= i and source[j] == "\\":
            slashes, j = slashes + 1, j - 1
        if slashes == 1:  # \{{ is text
            i = start + 2
            continue
        if source.startswith("{{{{", start):  # a raw block: its content is text, up to {{{{/name}}}}
            head_end = source.find("}}}}", start + 4)
            header = source[start + 4:head_end if head_end >= 0 else n].strip()
            name = (header.split() or [""])[0]
            close = source.find("{{{{/" + name + "}}}}", head_end + 4) if name and head_end >= 0 else -1
            if close < 0:
                tags.append(Tag(start, None, "#" + header, True))
                break
            tags.append(Tag(start, head_end + 4, "#" + header, True))
            tags.append(Tag(close, close + len(name) + 9, "/" + name, True))
            i = close + len(name) + 9
            continue
        comment = start + 2 + (source.startswith("~", start + 2))
        if source.startswith("!--", comment):
            end = re.compile(r"--~?\}\}").search(source, comment + 3)
            if end is None:
                tags.append(Tag(start, None, source[start + 2:].strip()))
                break
            tags.append(Tag(start, end.end(), _inner(source[start + 2:end.start()])))
            i = end.end()
            continue
        if source.startswith("{{{", start) or source.startswith("{{~{", start):
            body_start = start + (4 if source[start + 2] == "~" else 3)
            plain, tilde = source.find("}}}", body_start), source.find("}~}}", body_start)
            ends = [(p, p + w) for p, w in ((plain, 3), (tilde, 4)) if p >= 0]
            if not ends:
                tags.append(Tag(start, None, source[body_start:].strip()))
                break
            at, end = min(ends)
            tags.append(Tag(start, end, source[body_start:at].strip()))
            i = end
            continue
        end = source.find("}}", start + 2)
        if end < 0:
            tags.append(Tag(start, None, source[start + 2:].strip()))
            break
        tags.append(Tag(start, end + 2, _inner(source[start + 2:end])))
        i = end + 2
    return tags


def _excerpt(source: str, tag: Tag) -> str:
    text = source[tag.start:tag.end if tag.end is not None else tag.start + 40]
    return text.split("\n")[0][:60]


# --- syntax errors ----------------------------------------------------------------------------------------

def _opens(body: str) -> str | None:
    """The name a block tag must be closed with, or None for any other tag."""
    if body.startswith("#*inline"):
        return "inline"
    if body[:1] in "#^" and body[1:2] not in ("", "*"):
        words = body[1:].lstrip(">").split()
        return words[0] if words else None
    return None


def _blocks_open_before(tags: list[Tag], stop: int) -> list[tuple[str, Tag]]:
    stack = []
    for tag in tags[:stop]:
        if name := _opens(tag.body):
            stack.append((name, tag))
        elif tag.body.startswith("/") and stack:
            stack.pop()
    return stack


def _hard_error(source: str) -> Exception | None:
    """What the library refuses in ``source``, unless it is only a block left open (a cut-off prefix)."""
    try:
        _parse_tree(source, max_depth=MAX_PARSE_DEPTH)
    except TemplateRecursionError as error:
        return error
    except ValueError as error:
        return None if str(error).startswith(("unclosed block", "unclosed raw block")) else error
    return None


def _syntax_error(source: str, error: Exception) -> tuple[int, str]:
    """The line and reason of a source the library refuses (its errors give no position)."""
    tags = scan_tags(source)
    done = [k for k, tag in enumerate(tags) if tag.end is not None]
    # The shortest prefix, ending after a tag, that the library refuses names the tag (a refusal is monotone:
    # the parser reads the tags in order and stops at the first bad one).
    low, high = 0, len(done)
    while low < high:
        middle = (low + high) // 2
        if _hard_error(source[:tags[done[middle]].end]) is None:
            low = middle + 1
        else:
            high = middle
    if low < len(done):
        index = done[low]
        tag, found = tags[index], _hard_error(source[:tags[done[low]].end])
        line, reason = line_of(source, tag.start), str(found)
        if isinstance(found, TemplateRecursionError):
            return line, f"blocks are nested more than {MAX_NESTING} deep."
        if reason.startswith("unexpected closing tag") and tag.body.startswith("/"):
            name = (tag.body[1:].split() or [""])[0]
            stack = _blocks_open_before(tags, index)
            if not stack:
                return line, f"{{{{/{name}}}}} closes no block."
            opened, at = stack[-1]
            return line, f"{{{{/{name}}}}} does not close {{{{#{opened}}}}} (line {line_of(source, at.start)})."
        if reason.startswith("{{else}}"):
            return line, "{{else}} is outside any block."
        if reason.startswith("decorators"):
            return line, "decorators ({{* …}}) are not supported."
        return line, f"Cannot read the expression {_excerpt(source, tag)!r} ({reason})."
    unclosed = next((tag for tag in tags if tag.end is None), None)
    if unclosed is not None:
        closer = "}}}}" if unclosed.raw_block else "}}"
        what = "is never closed with its end tag" if unclosed.raw_block else f"is not closed with {closer}"
        return line_of(source, unclosed.start), f"Cannot read the expression {_excerpt(source, unclosed)!r} ({what})."
    stack = _blocks_open_before(tags, len(tags))
    if stack:
        name, tag = stack[-1]
        return line_of(source, tag.start), f"{{{{#{name}}}}} is never closed with {{{{/{name}}}}}."
    return 1, f"Cannot read the template ({error})."


def parse(source: str, field: str) -> list:
    """The library's node tree of ``source``; ``CRMError`` TEMPLATE_SYNTAX with the line when it refuses it."""
    try:
        return _parse_tree(source, max_depth=MAX_PARSE_DEPTH)
    except ValueError as error:  # TemplateRecursionError is one too
        line, reason = _syntax_error(source, error)
        raise CRMError(CampaignErrorCode.TEMPLATE_SYNTAX, f"Line {line}: {reason}", field) from None


# --- what the tree may hold ---------------------------------------------------------------------------------

class _Refusal(Exception):
    def __init__(self, code, reason: str, where):
        super().__init__(reason)
        self.code, self.reason, self.where = code, reason, where


def _tag_line(source: str, where) -> int:
    """The line of the first tag ``where(body)`` accepts (1 when none does)."""
    for tag in scan_tags(source):
        try:
            if where(tag.body):
                return line_of(source, tag.start)
        except ValueError:
            continue
    return 1


def _names_helper(body: str, name: str) -> bool:
    return re.search(r"(?:^[#^&]?\s*|\(\s*)[\"']?" + re.escape(name) + r"[\"']?(?=[\s)]|$)", body) is not None


def _check_call(call: dict, kind: str, depth: int = 0) -> None:
    name, args, hashed = call["name"], call["args"], call["hash"]
    helper_use = (lambda body, n=name: _names_helper(body, n))
    if kind == "block" and name in BLOCK_BUILTINS:
        if not args:
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"{{{{#{name}}}}} needs a value.",
                           lambda body, n=name: body.startswith("#") and _call(body[1:])["name"] == n
                           and not _call(body[1:])["args"])
        if len(args) > 1:
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"{{{{#{name}}}}} takes one value.",
                           lambda body, n=name: body.startswith("#") and _call(body[1:])["name"] == n
                           and len(_call(body[1:])["args"]) > 1)
    elif kind == "block" and (call["literal"] or name in HELPERS or args or hashed):
        if name not in HELPERS:
            raise _Refusal(CampaignErrorCode.UNKNOWN_HELPER, f"unknown helper {name!r}", helper_use)
    elif kind == "subexpression" and name not in HELPERS:
        if name in BLOCK_BUILTINS:
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"{{{{#{name}}}}} is a block: it cannot stand in ( ).",
                           helper_use)
        raise _Refusal(CampaignErrorCode.UNKNOWN_HELPER, f"unknown helper {name!r}", helper_use)
    elif kind == "mustache" and (args or hashed) and name not in HELPERS:
        if name in BLOCK_BUILTINS:
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX,
                           f"{{{{{name}}}}} is a block: write {{{{#{name} …}}}}…{{{{/{name}}}}}.", helper_use)
        raise _Refusal(CampaignErrorCode.UNKNOWN_HELPER, f"unknown helper {name!r}", helper_use)
    if call["params"] and (kind != "block" or name not in BLOCK_PARAMS_ALLOWED):
        raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, "block parameters (as |…|) work with #each and #with only.",
                       lambda body: " as |" in body)
    for token in [*args, *hashed.values()]:
        if token.startswith("(") and token.endswith(")"):
            if depth >= MAX_SUBEXPRESSION_DEPTH:
                raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX,
                               f"( ) are nested more than {MAX_SUBEXPRESSION_DEPTH} deep.", lambda body: "(" * 2 in body)
            try:
                inner = _call(token[1:-1].strip())
            except ValueError as error:
                raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"Cannot read {token!r} ({error}).",
                               lambda body, t=token: t in body) from None
            _check_call(inner, "subexpression", depth + 1)


def _walk(nodes: list, nesting: int = 0, loops: int = 0) -> None:
    for node in nodes:
        if isinstance(node, Text):
            continue
        if isinstance(node, (Partial, PartialBlock, InlinePartial)):
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, "partials are not supported.",
                           lambda body: body.startswith((">", "#>", "#*")))
        if isinstance(node, Mustache):
            _check_call(node.call, "mustache")
        elif isinstance(node, Block):
            _check_call(node.call, "block")
            name = node.call["name"]
            if nesting + 1 > MAX_NESTING:
                raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"blocks are nested more than {MAX_NESTING} deep.",
                               _nested(MAX_NESTING + 1, loops_only=False))
            # #each loops, and so does a section over a list ({{#recommendations}}…{{/recommendations}}).
            loop = name == "each" or (name not in BLOCK_BUILTINS and name not in HELPERS and not node.call["args"])
            if loop and loops + 1 > MAX_LOOP_NESTING:
                raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX,
                               f"at most {MAX_LOOP_NESTING} loops ({{{{#each}}}}) may be nested inside each other.",
                               _nested(MAX_LOOP_NESTING + 1, loops_only=True))
            _walk(node.body, nesting + 1, loops + loop)
            _walk(node.inverse, nesting + 1, loops + loop)
        else:
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"unexpected {type(node).__name__.lower()}.",
                           lambda body: False)


def _nested(depth: int, *, loops_only: bool):
    """A ``where`` that accepts the first block tag opening a block (or a loop) at ``depth``; tags come in order."""
    stack: list[bool] = []

    def where(body: str) -> bool:
        if _opens(body):
            words = body[1:].split()
            is_loop = bool(words) and (words[0] == "each" or (words[0] not in ALLOWED_HELPERS and len(words) == 1))
            stack.append(is_loop or not loops_only)
            return sum(stack) >= depth
        if body.startswith("/") and stack:
            stack.pop()
        return False

    return where


def check_handlebars(source: str, field: str) -> list:
    """Refuse a syntax error, an unknown helper, a partial or too deep a nesting, with its line; the node tree."""
    tree = parse(source, field)
    try:
        _walk(tree)
    except _Refusal as refusal:
        line = _tag_line(source, refusal.where)
        reason = refusal.reason
        if refusal.code == CampaignErrorCode.UNKNOWN_HELPER:
            reason += f" (allowed: {', '.join(sorted(ALLOWED_HELPERS))})."
        raise CRMError(refusal.code, f"Line {line}: {reason}", field) from None
    return tree


def is_valid(source: str) -> bool:
    """Whether ``source`` passes ``check_handlebars``."""
    try:
        check_handlebars(source, "template")
    except CRMError:
        return False
    return True

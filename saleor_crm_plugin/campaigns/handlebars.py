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
``{{#*inline}}``, dynamic ones; an inline partial calling itself would
recurse exponentially) and decorators, blocks nested more than
``MAX_NESTING`` deep and loops more than ``MAX_LOOP_NESTING`` deep. The
library's parse errors say what but not where: ``handlebars_syntax`` finds
the line.
"""

import re
from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from django.conf import settings as django_settings
from django.utils import timezone
from dotpromptz_handlebars import Block, ElseNode, InlinePartial, Mustache, Partial, PartialBlock, Text
# A tag's grammar (name, arguments, hash, block parameters), as the library's parser reads it.
from dotpromptz_handlebars._render import _call

from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..money import round_money
from .handlebars_syntax import PARSE_ERRORS, Refused, line_of, opens, parse_tree, scan_tags

__all__ = ["ALLOWED_HELPERS", "BLOCK_BUILTINS", "HELPERS", "check_handlebars", "format_money", "is_valid", "line_of"]

BLOCK_BUILTINS = frozenset({"if", "unless", "each", "with"})
_ELSE_CHAIN = re.compile(r"else\s+(?:if|unless)\s+\S")
_ELSE_WORDS = re.compile(r"else\s+\S")
BLOCK_PARAMS_ALLOWED = frozenset({"each", "with"})
DATE_FORMAT = "d MMMM y"  # "5 March 2026"; month names in the shop's language
MAX_NESTING = 24  # blocks inside blocks (a link of an {{else if}} chain is one more)
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


# --- what the tree may hold ---------------------------------------------------------------------------------

class _Refusal(Exception):
    def __init__(self, code, reason: str, where):
        super().__init__(reason)
        self.code, self.reason, self.where = code, reason, where


def _tag_line(source: str, where) -> int | None:
    """The line of the first tag ``where(body)`` accepts (None when none does)."""
    for tag in scan_tags(source):
        try:
            if where(tag.body):
                return line_of(source, tag.start)
        except PARSE_ERRORS:
            continue
    return None


def _else_misused():
    """A ``where`` for an ``{{else}}`` after a plain ``{{else}}`` of the same block (only ``else if`` chains)."""
    stack = [""]

    def where(body: str) -> bool:
        if opens(body):
            stack.append("")
        elif body.startswith("/") and len(stack) > 1:
            stack.pop()
        elif body == "else" or body.startswith("else "):
            if stack[-1] == "plain":
                return True
            stack[-1] = "chain" if _ELSE_CHAIN.match(body) else "plain"
        return False

    return where


def _names_helper(body: str, name: str) -> bool:
    return re.search(r"(?:^[#^&]?\s*|\(\s*)[\"']?" + re.escape(name) + r"[\"']?(?=[\s)]|$)", body) is not None


def _check_call(call: dict, kind: str, depth: int = 0) -> None:
    name, args, hashed = call["name"], call["args"], call["hash"]
    helper_use = (lambda body, n=name: _names_helper(body, n))
    if kind == "block" and name in BLOCK_BUILTINS:
        if not args:
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"{{{{#{name}}}}} needs a value.",
                           lambda body, n=name: body[:1] in "#^" and _call(body[1:])["name"] == n
                           and not _call(body[1:])["args"])
        if len(args) > 1:
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"{{{{#{name}}}}} takes one value.",
                           lambda body, n=name: body[:1] in "#^" and _call(body[1:])["name"] == n
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
            except PARSE_ERRORS as error:
                reason = str(error) if isinstance(error, ValueError) else "not valid"
                raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"Cannot read {token!r} ({reason}).",
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
                raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"blocks are nested more than {MAX_NESTING} deep "
                               "(each {{else if}} counts as one more).", _nested(MAX_NESTING + 1, loops_only=False))
            # #each loops, and so does a section over a list ({{#recommendations}}…{{/recommendations}}).
            loop = name == "each" or (name not in BLOCK_BUILTINS and name not in HELPERS and not node.call["args"])
            if loop and loops + 1 > MAX_LOOP_NESTING:
                raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX,
                               f"at most {MAX_LOOP_NESTING} loops ({{{{#each}}}}) may be nested inside each other.",
                               _nested(MAX_LOOP_NESTING + 1, loops_only=True))
            _walk(node.body, nesting + 1, loops + loop)
            _walk(node.inverse, nesting + 1, loops + loop)
        elif isinstance(node, ElseNode):  # the parser keeps a second {{else}} of one block as a node
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, "a block has one {{else}} (or a chain of {{else if …}}).",
                           _else_misused())
        else:
            raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, f"unexpected {type(node).__name__}.", lambda body: False)


def _nested(depth: int, *, loops_only: bool):
    """A ``where`` for the first tag opening a block (or a loop) at ``depth``; tags come in order, and an
    ``{{else if}}`` nests one more level until its block closes (as the parser builds it)."""
    stack: list[list[int]] = []  # per open block: [levels it adds, loops it adds]

    def where(body: str) -> bool:
        if opens(body):
            words = body[1:].split()
            loop = bool(words) and (words[0] == "each" or (words[0] not in ALLOWED_HELPERS and len(words) == 1))
            stack.append([1, int(loop)])
        elif body.startswith("/") and stack:
            stack.pop()
            return False
        elif _ELSE_CHAIN.match(body) and stack:
            stack[-1][0] += 1
        else:
            return False
        return sum(frame[1 if loops_only else 0] for frame in stack) >= depth

    return where


@lru_cache(maxsize=8)
def _checked(source: str) -> tuple[list | None, tuple | None]:
    """The node tree of an accepted source, or the refusal's (code, message): a preview, its save and the
    render that follows check a source once."""
    try:
        tree = parse_tree(source, MAX_NESTING)
    except Refused as refused:
        return None, (CampaignErrorCode.TEMPLATE_SYNTAX, str(refused))
    try:
        if "else" in source:  # the parser takes {{else anything}} for {{else}}: only if and unless chain
            _check_else_words(source)
        _walk(tree)
    except _Refusal as refusal:
        reason = refusal.reason
        if refusal.code == CampaignErrorCode.UNKNOWN_HELPER:
            reason += f" (allowed: {', '.join(sorted(ALLOWED_HELPERS))})."
        return None, (refusal.code, f"Line {_tag_line(source, refusal.where) or 1}: {reason}")
    return tree, None


def _check_else_words(source: str) -> None:
    def where(body: str) -> bool:
        return _ELSE_WORDS.match(body) is not None and _ELSE_CHAIN.match(body) is None

    if _tag_line(source, where) is not None:
        raise _Refusal(CampaignErrorCode.TEMPLATE_SYNTAX, "{{else …}} chains only if and unless: "
                       "{{else if …}}, {{else unless …}}.", where)


def check_handlebars(source: str, field: str) -> list:
    """Refuse a syntax error, an unknown helper, a partial or too deep a nesting, with its line; the node tree.

    Raises ``CRMError`` TEMPLATE_SYNTAX or UNKNOWN_HELPER, "Line N: …", with ``field``.
    """
    tree, refusal = _checked(source)
    if refusal is not None:
        raise CRMError(refusal[0], refusal[1], field)
    return tree


def is_valid(source: str) -> bool:
    """Whether ``source`` passes ``check_handlebars``."""
    return _checked(source)[1] is None

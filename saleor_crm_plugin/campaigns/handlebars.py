"""Handlebars for mail templates: our helpers, the checks that refuse a bad source with its line, compiling.

pybars3 (the Handlebars Saleor's own mails use) accepts some broken sources
silently (an unclosed ``{{#each}}`` drops the rest of the template) and names
the wrong line in its syntax errors, so ``check_handlebars`` walks the parse
tree itself: a syntax error, an unknown helper, a partial or a block helper
without its value is refused with ``CRMError`` and the line it is on.
``compile_source`` turns a checked source into a render function, with or
without HTML escaping (subjects and text parts are not HTML).
"""

import re
import threading
from datetime import date, datetime
from functools import lru_cache

import pybars
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from django.conf import settings as django_settings
from django.utils import timezone
from pybars._compiler import prepare

from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..money import round_money

BUILTIN_HELPERS = frozenset({"if", "unless", "each", "with", "lookup", "log"})
NEEDS_ARGUMENT = frozenset({"if", "unless", "each", "with"})
DATE_FORMAT = "d MMMM y"  # "5 March 2026"; month names in the shop's language
_TILDE = re.compile(r"(?<=\{\{)~|~(?=\}\})")
_OPEN = re.compile(r"\{\{[#^]\s*([^\s{}~]+)[^{}]*\}\}")
_ELSE = re.compile(r"\{\{\s*(?:else|\^)\s*\}\}")
_CLOSE = re.compile(r"\{\{/\s*([^\s{}~]+)\s*\}\}")
# pybars keeps its code builder on the class: compile under one lock.
_COMPILE_LOCK = threading.Lock()
_COMPILER = pybars.Compiler()


@lru_cache(maxsize=1)
def _locale() -> Locale:
    try:
        return Locale.parse(getattr(django_settings, "LANGUAGE_CODE", "en") or "en", sep="-")
    except (ValueError, TypeError):  # babel's UnknownLocaleError is a ValueError
        return Locale.parse("en")


def _default(this, value=None, fallback=""):
    return fallback if value is None or value == "" else value


def format_money(amount, currency: str) -> str:
    """``amount`` in ``currency`` as the shop's language writes it ("$12.50", "12,50 €"); "" for no amount."""
    if amount is None or amount == "":
        return ""
    code = str(currency or "").upper()
    try:
        return format_currency(round_money(amount, code), code, locale=_locale())
    except (ValueError, ArithmeticError):  # an unknown currency code: show the amount as it is
        return f"{amount} {code}".strip()


def _money(this, amount=None, currency=""):
    return format_money(amount, currency)


def _date(this, value=None, pattern=DATE_FORMAT):
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, date):
        return ""
    try:
        return format_date(value, pattern or DATE_FORMAT, locale=_locale())
    except (ValueError, AttributeError):  # a bad pattern given by the template
        return format_date(value, DATE_FORMAT, locale=_locale())


HELPERS = {"default": _default, "money": _money, "date": _date}
ALLOWED_HELPERS = BUILTIN_HELPERS | frozenset(HELPERS)


# --- checks ----------------------------------------------------------------------------------------

def line_of(source: str, position: int) -> int:
    return source.count("\n", 0, position) + 1


def parse(source: str):
    """pybars' parse tree and where its parser stopped (``< len(source)``: a syntax error there).

    pybars itself only looks at the furthest position its parser tried, so an
    unclosed block passes its compiler and is silently cut off: the position
    of the input stream after the parse is what tells.
    """
    with _COMPILE_LOCK:
        parser = _COMPILER._handlebars(source)
        tree, _ = parser.apply("template")
    return tree, parser.input.position


def _syntax_error(source: str, stop: int) -> tuple[int, str]:
    """The line and reason of a syntax error (pybars reports the block around it, at the wrong line)."""
    stack, position, first_stop = [], 0, stop
    while True:
        if position:
            stop = position + parse(source[position:])[1]
        if stop >= len(source):
            if stack:
                name, at = stack[-1]
                return line_of(source, at), f"{{{{#{name}}}}} is never closed with {{{{/{name}}}}}."
            stop = first_stop  # the blocks balance: the expression where pybars stopped is unreadable
            break
        if match := _OPEN.match(source, stop):
            stack.append((match.group(1), stop))
        elif (match := _ELSE.match(source, stop)) and stack:
            pass
        elif match := _CLOSE.match(source, stop):
            if not stack:
                return line_of(source, stop), f"{{{{/{match.group(1)}}}}} closes no block."
            name, at = stack.pop()
            if match.group(1) != name:
                return line_of(source, stop), (f"{{{{/{match.group(1)}}}}} does not close "
                                             f"{{{{#{name}}}}} (line {line_of(source, at)}).")
        else:
            break
        position = match.end()
    near = source[stop:stop + 40].split("\n")[0]
    return line_of(source, stop), f"Cannot read the expression {near!r}."


def _helper_line(source: str, name: str) -> int:
    pattern = re.compile(r"(?:\{\{[{&#^]?|\()\s*" + re.escape(name) + r"\s+[^\s}~)]")
    match = pattern.search(source)
    return line_of(source, match.start()) if match else 1


def _path_name(path) -> str | None:
    """The name of a one-segment path (what Handlebars looks up as a helper)."""
    if isinstance(path, tuple) and path[0] == "path" and len(path[1]) == 1:
        return path[1][0]
    return None


def _misused(nodes) -> list[tuple[str, str]]:
    """``(kind, name)`` of unknown helpers, partials and argument-less ``if``/``each`` in a parse tree."""
    found = []

    def arguments(args):
        for arg in args:
            if isinstance(arg, tuple) and arg[0] == "subexpr":
                if _path_name(arg[1]) not in ALLOWED_HELPERS:
                    found.append(("helper", _path_name(arg[1]) or str(arg[1])))
                arguments(arg[2])
            elif isinstance(arg, tuple) and arg[0] == "kwparam":
                arguments([arg[2]])

    def walk(items):
        for node in items:
            if not isinstance(node, tuple):
                continue
            kind = node[0]
            if kind in ("expand", "escapedexpand"):
                name = _path_name(node[1])
                if node[2] and name is not None and name not in ALLOWED_HELPERS:
                    found.append(("helper", name))
                arguments(node[2])
            elif kind in ("block", "invertedblock", "rawblock"):
                symbol, args = node[1], node[2]
                if args and symbol not in ALLOWED_HELPERS:
                    found.append(("helper", symbol))
                elif not args and symbol in NEEDS_ARGUMENT:
                    found.append(("argument", symbol))
                arguments(args)
                if kind != "rawblock":
                    walk(node[3][1:] if node[3] else [])
                    walk(node[4][1:] if node[4] else [])
            elif kind == "partial":
                found.append(("partial", ""))

    walk(nodes[1:])
    return found


def check_handlebars(source: str, field: str) -> None:
    """Refuse a Handlebars syntax error, an unknown helper or a partial, with its line."""
    plain = _TILDE.sub("", source)  # pybars strips "~" before parsing; removing it keeps the lines
    tree, stop = parse(plain)
    if stop < len(plain):
        line, reason = _syntax_error(plain, stop)
        raise CRMError(CampaignErrorCode.TEMPLATE_SYNTAX, f"Line {line}: {reason}", field)
    for kind, name in _misused(tree):
        if kind == "helper":
            line = _helper_line(plain, name)
            raise CRMError(CampaignErrorCode.UNKNOWN_HELPER,
                           f"Line {line}: unknown helper {name!r} (allowed: {', '.join(sorted(ALLOWED_HELPERS))}).",
                           field)
        if kind == "argument":
            match = re.search(r"\{\{#\s*" + name + r"\s*\}\}", plain)
            line = line_of(plain, match.start()) if match else 1
            raise CRMError(CampaignErrorCode.TEMPLATE_SYNTAX, f"Line {line}: {{{{#{name}}}}} needs a value.", field)
        match = re.search(r"\{\{>", plain)
        raise CRMError(CampaignErrorCode.TEMPLATE_SYNTAX,
                       f"Line {line_of(plain, match.start()) if match else 1}: partials are not supported.", field)



def _prepare_unescaped(value, should_escape):
    return prepare(value, False)


def compile_source(source: str, *, escape: bool):
    """A pybars render function; ``escape=False`` renders ``{{x}}`` like ``{{{x}}}`` (for non-HTML parts)."""
    # pybars drops the newline *before* a closing tag on the last line (its regex's "$" also matches
    # before one final newline), so "{{/each}}" ending a text part would glue the items together; two
    # final newlines make it an ordinary standalone line.
    with _COMPILE_LOCK:
        code = _COMPILER.precompile(source + "\n\n")
    # Executed in our own namespace (not Compiler.compile's, which adds a module to sys.modules per template).
    namespace = {}
    exec(compile(code, "<crm mail template>", "exec"), namespace)  # noqa: S102 - code generated by pybars
    if not escape:
        namespace["prepare"] = _prepare_unescaped
    return namespace["render"]

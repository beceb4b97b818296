"""JSON text that PostgreSQL's ``jsonb`` accepts, made from any payload.

``jsonb`` refuses some values JSON decoders hand over: NaN and Infinity, the
NUL character, unpaired surrogates (``"\\ud800"``); Python cannot even
write integers past 4,300 digits as decimal text, and values from Python
callers may not be JSON at all. An untrusted payload must still be kept (for
inspection, see ``outbox.record_payload``), so such values are written in a
lossless escaped form and the problems are named.
"""

import json
import math
from datetime import date
from decimal import Decimal

from ..text import is_storable_text

# Deeper containers are kept as one string of their JSON text: no real event
# nests more than a handful of levels, and a deep one would only exhaust the
# stack of whoever reads it later.
MAX_DEPTH = 64
CUT_DEPTH = 100_000


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    raise TypeError(type(value).__name__)


def storable_json(value) -> tuple[str, list[str]]:
    """``(json_text, problems)``: ``problems`` is empty when the text is ``value`` as it came.

    Never raises: NaN/Infinity become the strings ``"NaN"``/``"Infinity"``,
    text with NUL or unpaired surrogates its ``unicode_escape`` form, huge
    integers their hexadecimal string, other Python values their ``repr``, and
    containers nested deeper than ``MAX_DEPTH`` a string of their JSON text.
    """
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=_plain)
        # NUL is written as the escape \\u0000, which jsonb refuses; a false
        # positive (an escaped backslash before "u0000") only costs the slow path.
        if "\\u0000" not in text and _depth_ok(text):
            text.encode("utf-8")  # an unpaired surrogate raises here
            return text, []
    except (TypeError, ValueError, RecursionError, UnicodeEncodeError):
        pass
    problems: set[str] = set()
    text = _encode(value, problems, MAX_DEPTH)
    return text, sorted(problems)


def _depth_ok(text: str) -> bool:
    # Cheap upper bound: a text with few brackets cannot nest deeply.
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return True
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest <= MAX_DEPTH


def _encode(value, problems: set[str], max_depth: float) -> str:
    """JSON text of ``value`` written with an explicit stack (any depth, no recursion)."""
    out: list[str] = []
    stack: list[tuple[object, int | None]] = [(value, 0)]  # depth None: literal text
    while stack:
        item, depth = stack.pop()
        if depth is None:
            out.append(item)
        elif isinstance(item, dict | list | tuple | set | frozenset):
            if depth >= CUT_DEPTH:  # only a Python structure gets here (a cycle, say): JSON decoders stop far sooner
                problems.add(f"nested deeper than {CUT_DEPTH} levels (cut)")
                out.append('"..."')
                continue
            if depth >= max_depth:
                problems.add(f"nested deeper than {MAX_DEPTH} levels (kept as text)")
                out.append(json.dumps(_encode(item, problems, math.inf)))
                continue
            if isinstance(item, dict):
                stack.append(("}", None))
                entries = list(item.items())
                for i in range(len(entries) - 1, -1, -1):
                    key, child = entries[i]
                    stack.append((child, depth + 1))
                    stack.append(((", " if i else "") + _key(key, problems) + ": ", None))
                stack.append(("{", None))
            else:
                if isinstance(item, set | frozenset):
                    problems.add("a set (kept as a list)")
                children = list(item)
                stack.append(("]", None))
                for i in range(len(children) - 1, -1, -1):
                    stack.append((children[i], depth + 1))
                    if i:
                        stack.append((", ", None))
                stack.append(("[", None))
        else:
            out.append(_scalar(item, problems))
    return "".join(out)


def _scalar(value, problems: set[str]) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(int(value))
        except ValueError:  # beyond Python's digit limit for decimal text
            problems.add("an integer too long to write (kept as hexadecimal text)")
            return json.dumps(hex(value))
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        problems.add("NaN or Infinity (kept as text)")
        return json.dumps("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))
    if isinstance(value, str):
        return _text(value, problems)
    try:
        return _text(_plain(value), problems)
    except TypeError:
        pass
    problems.add(f"a {type(value).__name__} value (kept as its repr)")
    try:
        shown = repr(value)
    except Exception:  # noqa: BLE001 - any object's repr may fail; the type name stays
        shown = f"<{type(value).__name__}>"
    return _text(shown, problems)


def _key(key, problems: set[str]) -> str:
    if isinstance(key, str):
        return _text(key, problems)
    if key is None or isinstance(key, bool | int | float):
        scalar = _scalar(key, problems)
        return scalar if scalar.startswith('"') else json.dumps(scalar)
    return _scalar(key, problems)  # any other value: already a quoted string


def _text(value: str, problems: set[str]) -> str:
    if is_storable_text(value):
        return json.dumps(value, ensure_ascii=False)
    problems.add("text with a NUL character or an unpaired surrogate (kept unicode-escaped)")
    return json.dumps(value.encode("unicode_escape").decode("ascii"))

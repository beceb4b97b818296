"""JSON from outside (a request body, a JSONString argument), parsed within bounds.

``json.loads`` recurses once per nesting level and raises ``RecursionError``
near 1,000 levels — or the value parses and a later walk over it (an encoder,
a validator) recurses too deep instead. Integers are exact in Python, so a
4,000-digit one parses and then fails wherever it meets a float or PostgreSQL.
``loads`` therefore refuses, before anything else sees the value:

* more than ``MAX_CONTAINERS`` arrays and objects (their brackets counted at C
  speed, outside strings), which bounds the work of everything below;
* nesting deeper than ``MAX_DEPTH`` arrays/objects: ``json.loads`` with its
  ``RecursionError`` caught (an error raised at once, by the C parser, on a
  stack that is not otherwise deep), then an iterative walk of the containers;
* integers of more than ``MAX_INT_DIGITS`` digits (far beyond any 64-bit
  value; callers that store integers check their own range), NaN and Infinity;
* anything that is not JSON.
"""

import json
import re

MAX_DEPTH = 32  # a segment rule nests ~20 deep at most, a request body ~6
MAX_CONTAINERS = 20_000  # 100 federation representations ≈ 200; a rule of 50 conditions ≈ 300
MAX_INT_DIGITS = 40
_CONTAINERS = {dict, list}
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_LONG_NUMBER = re.compile(rf"[0-9]{{{MAX_INT_DIGITS + 1}}}")


class JSONInputError(ValueError):
    """JSON refused; ``reason`` is ``too_deep``, ``too_large``, ``number_too_long`` or ``invalid``."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


def depth(value) -> int:
    """How many arrays/objects ``value`` nests (0 for a scalar), level by level, without recursion."""
    levels, current = 0, [value] if type(value) in _CONTAINERS else []
    while current:
        levels += 1
        inner = []
        for node in current:
            inner.extend([item for item in (node.values() if type(node) is dict else node)
                          if type(item) in _CONTAINERS])
        current = inner
    return levels


def _containers(text: str) -> int:
    """How many arrays/objects ``text`` opens; brackets inside strings (a template's CSS) are only left out when
    the quick count, with them, is over the limit."""
    count = text.count("[") + text.count("{")
    if count > MAX_CONTAINERS:
        outside = _STRINGS.sub("", text)
        count = outside.count("[") + outside.count("{")
    return count


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONInputError("number_too_long", f"Integers have at most {MAX_INT_DIGITS} digits.")
    return int(digits)


def _constant(name: str):
    raise JSONInputError("invalid", f"{name} is not a JSON number.")


def loads(text, *, max_depth: int = MAX_DEPTH):
    """``json.loads(text)`` within the bounds above; raises ``JSONInputError`` (never ``RecursionError``)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONInputError("invalid", "JSON must be UTF-8.") from None
    if not isinstance(text, str):
        raise JSONInputError("invalid", "Expected a JSON string.")
    if _containers(text) > MAX_CONTAINERS:
        raise JSONInputError("too_large", f"JSON may hold at most {MAX_CONTAINERS:,} arrays and objects.")
    deep = JSONInputError("too_deep", f"JSON may nest at most {max_depth} arrays and objects.")
    try:
        # The integer hook is a Python call per integer: only when a long run of digits is there at all.
        hook = {"parse_int": _integer} if _LONG_NUMBER.search(text) else {}
        value = json.loads(text, parse_constant=_constant, **hook)
    except JSONInputError:
        raise
    except RecursionError:
        raise deep from None
    except ValueError as error:
        raise JSONInputError("invalid", f"Not valid JSON: {str(error)[:100]}") from None
    if depth(value) > max_depth:
        raise deep
    return value

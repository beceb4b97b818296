"""Rendering a checked template: a walk over dotpromptz-handlebars' node tree, within budgets.

The tree comes from the library's parser (``handlebars.check_handlebars``);
this module turns each node once into a small Python function (a closure,
not generated code) and runs them per recipient. It follows the library's
interpreter, which follows Handlebars.js: the same lookups (``..``, ``this``,
``@index``/``@key``/``@first``/``@last``/``@root``, block parameters),
``if``/``unless``/``with``/``each``, sections over lists and values, and
printing (``true``, ``1,2``, ``[object Object]``). ``test_handlebars_engine``
renders generated templates with both and compares.

Why not the library's own interpreter: it re-reads every path, character by
character, on every render and passes its state as keyword dicts: 1.8 ms for
a mail of the benchmark newsletter, against 0.3 ms with pybars3 before and
0.18 ms here (``bench/template_render.py``), and a campaign renders 100,000
of them. Here a path is split once, when the template is compiled.

A value is only ever read as a dict key or a list item (never an
attribute), and printed as text. The HTML parts escape ampersands, angle
brackets, both quotes and the backtick, as pybars3 did; unlike
Handlebars.js, not ``=``, so that URLs stay as written (click tracking reads
them back from the HTML).

Budgets, per rendered part, so that no template stalls a worker: at most
``MAX_STEPS`` steps (a node rendered, or one round of a loop), at most
``MAX_OUTPUT`` characters, and a deadline shared by the parts of one mail
(``MAX_SECONDS``). Past any of them: ``CRMError`` TEMPLATE_TOO_COSTLY naming
the part.
"""

import html
import time
from collections.abc import Mapping, Sequence

from dotpromptz_handlebars import Block, Mustache, Text
from dotpromptz_handlebars._render import _call, _number, _parts, _unescape

from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from .handlebars import HELPERS, check_handlebars

MAX_STEPS = 100_000  # the benchmark newsletter's HTML takes 72
MAX_OUTPUT = 1_000_000  # characters per part (mail clients clip HTML past ~100 kB)
MAX_SECONDS = 1.0  # per mail, all parts together
CHECK_EVERY = 512  # steps between looks at the clock
_SELF = (".", "this")


class _State:
    """One render: the scopes (``this``, ``..``), block parameters, data frames (``@…``), output, budgets."""

    __slots__ = ("scopes", "blocks", "frames", "out", "steps", "size", "next_check", "deadline", "field")

    def __init__(self, context, deadline: float, field: str):
        self.scopes, self.blocks, self.frames = [context], [{}], [{"root": context}]
        self.out: list[str] = []
        self.steps, self.size, self.next_check = 0, 0, CHECK_EVERY
        self.deadline, self.field = deadline, field


def _too_costly(state: _State, why: str):
    raise CRMError(CampaignErrorCode.TEMPLATE_TOO_COSTLY, f"The {state.field} {why}; simplify its loops.", state.field)


def _checkpoint(state: _State) -> None:
    if state.steps > MAX_STEPS:
        _too_costly(state, f"needs more than {MAX_STEPS:,} steps to render")
    if time.monotonic() > state.deadline:
        _too_costly(state, f"takes longer than {MAX_SECONDS:g} s to render")
    state.next_check = state.steps + CHECK_EVERY


def _emit(state: _State, text: str) -> None:
    state.out.append(text)
    state.size += len(text)
    if state.size > MAX_OUTPUT:
        _too_costly(state, f"renders to more than {MAX_OUTPUT:,} characters")


# --- values ---------------------------------------------------------------------------------------------------

def _step(current, part: str):
    """One path segment: a dict's key or a list's index; anything else is missing."""
    kind = type(current)
    if kind is dict:
        return current.get(part)
    if kind is not list and not (isinstance(current, Sequence) and not isinstance(current, (str, bytes))):
        return current[part] if isinstance(current, Mapping) and part in current else None
    if part.isdigit():
        try:
            index = int(part)
        except ValueError:  # a digit int() does not read ("²")
            return None
        if index < len(current):
            return current[index]
    return None


def _is_sequence(value) -> bool:
    return type(value) is list or (isinstance(value, Sequence) and not isinstance(value, (str, bytes)))


def _is_empty(value) -> bool:
    """What ``with`` (and ``if``) treat as nothing: null, false, "", an empty list (an empty object is something)."""
    if value is None or value is False or (isinstance(value, str) and value == ""):
        return True
    return _is_sequence(value) and len(value) == 0


def _if_shows(value, include_zero: bool) -> bool:
    if isinstance(value, bool):
        return value
    if not include_zero and value == 0:
        return False
    return not _is_empty(value)


def text_of(value) -> str:
    """A value as Handlebars.js prints it: "" for null, true/false, 2 for 2.0, "a,b" for a list."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else str(value)
    except ValueError:  # an integer past Python's 4,300 digits for str()
        return ""
    if _is_sequence(value):
        return ",".join(text_of(item) for item in value)
    if isinstance(value, Mapping):
        return "[object Object]"
    return str(value)


def escape(text: str) -> str:
    """``text`` HTML-escaped as pybars3 did it (``=`` is left alone, unlike Handlebars.js)."""
    text = html.escape(text, quote=True)
    return text.replace("`", "&#x60;") if "`" in text else text


# --- compiling the tree into closures ---------------------------------------------------------------------------

class _Compiler:
    def __init__(self, escaping: bool, params: frozenset[str]):
        self.escaping, self.params = escaping, params
        self._values: dict[str, object] = {}  # token -> its reader (a token repeats: {{name}} in every row)

    def nodes(self, nodes: list) -> tuple:
        return tuple(self.node(node) for node in nodes)

    def node(self, node):
        if isinstance(node, Text):
            return self.text(node.value)
        if isinstance(node, Mustache):
            return self.mustache(node.call, node.raw)
        if isinstance(node, Block):
            return self.block(node)
        raise CRMError(CampaignErrorCode.TEMPLATE_SYNTAX, f"Unexpected {type(node).__name__}.", "template")

    @staticmethod
    def text(value: str):
        size = len(value)

        def run(state: _State):
            state.steps += 1
            if state.steps >= state.next_check:
                _checkpoint(state)
            state.out.append(value)
            state.size += size
            if state.size > MAX_OUTPUT:
                _too_costly(state, f"renders to more than {MAX_OUTPUT:,} characters")

        return run

    def value(self, token: str):
        """What ``_render._value`` reads from a token: a helper call, a literal, or a path."""
        if token not in self._values:
            self._values[token] = self._value(token)
        return self._values[token]

    def _value(self, token: str):
        if token.startswith("(") and token.endswith(")"):
            return self.helper_call(_call(token[1:-1].strip()))
        if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
            return _constant(_unescape(token))
        if token in ("true", "false"):
            return _constant(token == "true")
        number = _number(token)
        if number is not None:
            return _constant(number)
        if token.startswith("@"):
            return _data_path(tuple(_parts(token[1:])))
        return self.context_path(_parts(token))

    def context_path(self, parts: list[str]):
        ups = 0
        while ups < len(parts) and parts[ups] == "..":
            ups += 1
        rest = parts[ups:]
        if not rest:
            return lambda state: state.scopes[-1 - ups] if len(state.scopes) > ups else None
        first, tail = rest[0], tuple(part for part in rest[1:] if part not in _SELF)
        itself = first in _SELF
        params = ups == 0 and not itself and first in self.params
        if not ups and not itself and not params and len(tail) <= 1:  # {{name}}, {{customer.first_name}}
            if not tail:
                return lambda state: _step(state.scopes[-1], first)
            second = tail[0]
            return lambda state: _step(_step(state.scopes[-1], first), second)

        def read(state: _State):
            if len(state.scopes) <= ups:
                return None
            base = state.scopes[-1 - ups]
            current, found = None, False
            if params:
                for frame in reversed(state.blocks):
                    if first in frame:
                        current, found = frame[first], True
                        break
            if not found:
                current = base if itself else _step(base, first)
            for part in tail:
                current = _step(current, part)
            return current

        return read

    def helper_call(self, call: dict):
        helper = HELPERS[call["name"]]  # check_handlebars refused any other name
        args = tuple(self.value(token) for token in call["args"])
        hashed = {key: self.value(token) for key, token in call["hash"].items()}
        if hashed:
            return lambda state: helper([arg(state) for arg in args],
                                        _Options({key: value(state) for key, value in hashed.items()}))
        options = _Options({})
        return lambda state: helper([arg(state) for arg in args], options)

    def call_value(self, call: dict):
        """A mustache's value: a helper's result, else the value its name reads (a literal name reads nothing)."""
        if call["name"] in HELPERS:
            return self.helper_call(call)
        if call["args"] or call["hash"]:
            raise CRMError(CampaignErrorCode.UNKNOWN_HELPER, f"Unknown helper {call['name']!r}.", "template")
        return _constant(None) if call["literal"] else self.value(call["name"])

    def mustache(self, call: dict, raw: bool):
        value_of, escaping = self.call_value(call), self.escaping and not raw

        def run(state: _State):
            state.steps += 1
            if state.steps >= state.next_check:
                _checkpoint(state)
            value = value_of(state)
            text = value if type(value) is str else text_of(value)
            if text:
                _emit(state, escape(text) if escaping else text)

        return run

    def block(self, node: Block):
        call, name = node.call, node.call["name"]
        body, inverse, params = self.nodes(node.body), self.nodes(node.inverse), tuple(call["params"])
        if name in ("if", "unless"):
            condition = self.value(call["args"][0])
            zero = self.value(call["hash"]["includeZero"]) if "includeZero" in call["hash"] else None
            negate = name == "unless"

            def run_if(state: _State):
                _tick(state)
                shows = _if_shows(condition(state), zero is not None and zero(state) is True)
                _run(body if shows != negate else inverse, state)

            return run_if
        if name == "with":
            subject = self.value(call["args"][0])

            def run_with(state: _State):
                _tick(state)
                value = subject(state)
                if _is_empty(value):
                    _run(inverse, state)
                else:
                    _entered(state, value, dict(zip(params, (value, None))), body)

            return run_with
        if name == "each":
            items = self.value(call["args"][0])
            return lambda state: _iterate(state, items(state), body, inverse, params)
        if name in HELPERS or call["literal"] or call["args"] or call["hash"]:
            return self.mustache(call, False)  # a helper used as a block prints its value (escaped)
        section = self.value(name)

        def run_section(state: _State):
            _tick(state)
            value = section(state)
            if value is True:
                _run(body, state)
            elif value is False or value is None:
                _run(inverse, state)
            elif _is_sequence(value):
                _iterate(state, value, body, inverse, params)
            else:
                _entered(state, value, {}, body)

        return run_section


class _Options:
    """What a helper gets besides its arguments (ours only have the named ones, ``hash``)."""

    __slots__ = ("hash",)

    def __init__(self, hashed: dict):
        self.hash = hashed


def _constant(value):
    return lambda state: value


def _data_path(parts: tuple[str, ...]):
    def read(state: _State):
        frames = state.frames
        at = len(frames) - 1
        current = frames[at]
        for part in parts:
            if part == "..":
                at -= 1
                if at < 0:
                    return None
                current = frames[at]
                continue
            current = _step(current, part)
        return current

    return read


def _tick(state: _State, steps: int = 1) -> None:
    state.steps += steps
    if state.steps >= state.next_check:
        _checkpoint(state)


def _run(ops: tuple, state: _State) -> None:
    for op in ops:
        op(state)


def _entered(state: _State, value, params: dict, body: tuple) -> None:
    state.scopes.append(value)
    state.blocks.append(params)
    _run(body, state)
    state.scopes.pop()
    state.blocks.pop()


def _iterate(state: _State, items, body: tuple, inverse: tuple, params: tuple) -> None:
    _tick(state)
    if isinstance(items, Mapping):
        pairs = list(items.items())
    elif _is_sequence(items):
        pairs = list(enumerate(items))
    else:
        pairs = []
    if not pairs:
        _run(inverse, state)
        return
    last = len(pairs) - 1
    _tick(state, len(pairs))
    parent = state.frames[-1]
    for index, (key, item) in enumerate(pairs):
        state.frames.append({**parent, "key": key, "index": index, "first": index == 0, "last": index == last})
        _entered(state, item, dict(zip(params, (item, key))), body)
        state.frames.pop()


def _block_params(nodes: list, found: set[str]) -> set[str]:
    for node in nodes:
        if isinstance(node, Block):
            found.update(node.call["params"])
            _block_params(node.body, found)
            _block_params(node.inverse, found)
    return found


class Template:
    """A checked source, compiled once into closures; ``render`` for each recipient."""

    def __init__(self, source: str, *, escape: bool, field: str):
        tree = check_handlebars(source, field)
        self.field = field
        self._ops = _Compiler(escape, frozenset(_block_params(tree, set()))).nodes(tree)

    def render(self, context, *, deadline: float | None = None) -> str:
        """The text for ``context`` (dicts, lists and scalars); ``CRMError`` TEMPLATE_TOO_COSTLY past a budget."""
        state = _State(context, deadline if deadline is not None else time.monotonic() + MAX_SECONDS, self.field)
        try:
            _run(self._ops, state)
        except RecursionError:  # data nested too deep to print
            _too_costly(state, "holds data nested too deep to print")
        return "".join(state.out)


def compile_source(source: str, *, escape: bool, field: str = "template") -> Template:
    """``source`` checked (``CRMError`` with the line) and compiled; ``escape``: HTML-escape ``{{x}}``."""
    return Template(source, escape=escape, field=field)


__all__ = ["MAX_OUTPUT", "MAX_SECONDS", "MAX_STEPS", "Template", "compile_source", "escape", "text_of"]

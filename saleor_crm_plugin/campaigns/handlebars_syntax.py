"""Where a Handlebars source is wrong: the line and the reason, for dotpromptz-handlebars' parse errors.

The library's errors say what (``unexpected closing tag if``, ``x( is not
valid``) but not where. Its tokenizer and parser are run here on a token
list that remembers the furthest token the parser read: that token is the
one it refused, and the tags scanned here with their positions (the same
rules as the tokenizer: ``\\{{`` escapes, ``{{!-- --}}`` comments, raw
blocks) give its line. When the two do not line up, the shortest prefix of
the source the library refuses names the tag instead.
"""

import re
from dataclasses import dataclass

from dotpromptz_handlebars import TagToken, TemplateRecursionError
from dotpromptz_handlebars._render import _parse, _tokens, compile_template as _parse_tree

MAX_PARSE_DEPTH = 64  # the library's own bound while parsing (an {{else}} counts as a level)
# What the library's parser raises on a source it cannot read: ValueError as designed, and a few slips of its
# own on odd input ("{{#*inline}}" without a name is an IndexError).
PARSE_ERRORS = (ValueError, IndexError, KeyError, TypeError, AttributeError)
_COMMENT_END = re.compile(r"--~?\}\}")
_NUMBERED = re.compile(r"(?<=[\w\]])\.(\d+)(?=[./\s)]|$)")


@dataclass(frozen=True)
class Tag:
    """One ``{{…}}`` of a source: where it starts and ends (``end`` None: never closed) and what it holds."""

    start: int
    end: int | None
    body: str  # without braces, "~" and surrounding blanks; a raw block's "{{{{name}}}}" is "#name"
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
            end = _COMMENT_END.search(source, comment + 3)
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


def excerpt(source: str, tag: Tag) -> str:
    """The start of a tag's text, on one line."""
    text = source[tag.start:tag.end if tag.end is not None else tag.start + 40]
    return text.split("\n")[0][:60]


def opens(body: str) -> str | None:
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
        if name := opens(tag.body):
            stack.append((name, tag))
        elif tag.body.startswith("/") and stack:
            stack.pop()
    return stack


class _Read(list):
    """The library's tokens, remembering the furthest one its parser read (where it stopped)."""

    furthest = -1

    def __getitem__(self, index):
        if isinstance(index, int) and index > self.furthest:
            self.furthest = index
        return super().__getitem__(index)


def _soft(error: Exception) -> bool:
    """A block left open: what a prefix cut after an opening tag gets, not an error of a tag."""
    return not isinstance(error, TemplateRecursionError) and str(error).startswith(
        ("unclosed block", "unclosed raw block"))


def _hard_error(source: str) -> Exception | None:
    try:
        _parse_tree(source, max_depth=MAX_PARSE_DEPTH)
    except PARSE_ERRORS as error:
        return None if _soft(error) else error
    return None


def _by_prefixes(source: str, tags: list[Tag]) -> tuple[int, Exception] | None:
    """The tag ending the shortest prefix the library refuses (the parser reads tags in order: monotone)."""
    done = [k for k, tag in enumerate(tags) if tag.end is not None]
    low, high = 0, len(done)
    while low < high:
        middle = (low + high) // 2
        if _hard_error(source[:tags[done[middle]].end]) is None:
            low = middle + 1
        else:
            high = middle
    if low == len(done):
        return None
    return done[low], _hard_error(source[:tags[done[low]].end])


class Refused(ValueError):
    """A source the library refuses: the line of the tag and the reason."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"Line {line}: {reason}")
        self.line, self.reason = line, reason


def parse_tree(source: str, max_nesting: int) -> list:
    """The library's node tree of ``source``; ``Refused`` with the line and reason when it refuses it."""
    try:
        tokens = _Read(_tokens(source))
    except PARSE_ERRORS as error:
        raise Refused(*_located(source, error, None, max_nesting)) from None
    try:
        return _parse(tokens, max_depth=MAX_PARSE_DEPTH)
    except PARSE_ERRORS as error:  # TemplateRecursionError (nested past MAX_PARSE_DEPTH) is a ValueError
        raise Refused(*_located(source, error, tokens, max_nesting)) from None


def _refused_tag(source: str, tags: list[Tag], error: Exception, tokens: _Read | None):
    """The index in ``tags`` of the tag the parser stopped at, and the error; None when only a block is left open."""
    if tokens is not None and not _soft(error):
        positions = [k for k, token in enumerate(tokens) if isinstance(token, TagToken)]
        if len(positions) == len(tags) and tokens.furthest in positions:
            return positions.index(tokens.furthest), error
    if tokens is not None and _soft(error):
        return None
    return _by_prefixes(source, tags)


def _located(source: str, error: Exception, tokens: _Read | None, max_nesting: int) -> tuple[int, str]:
    tags = scan_tags(source)
    unclosed = next((tag for tag in tags if tag.end is None), None)
    refused = _refused_tag(source, tags, error, tokens)
    if refused is not None:
        index, found = refused
        tag = tags[index]
        # The library's own messages are plain ("x( is not valid"); a slip's message is Python's: not shown.
        line, reason = line_of(source, tag.start), str(found) if isinstance(found, ValueError) else "not valid"
        if isinstance(found, TemplateRecursionError):
            return line, f"blocks are nested more than {max_nesting} deep."
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
        if _NUMBERED.search(tag.body):  # pybars3 read items.0; Handlebars reads items.[0]
            reason += f"; an item of a list is written {_NUMBERED.sub(r'.[\1]', tag.body)}"
        return line, f"Cannot read the expression {excerpt(source, tag)!r} ({reason})."
    if unclosed is not None:
        what = "is never closed with its end tag" if unclosed.raw_block else "is not closed with }}"
        return line_of(source, unclosed.start), f"Cannot read the expression {excerpt(source, unclosed)!r} ({what})."
    stack = _blocks_open_before(tags, len(tags))
    if stack:
        name, tag = stack[-1]
        return line_of(source, tag.start), f"{{{{#{name}}}}} is never closed with {{{{/{name}}}}}."
    return 1, f"Cannot read the template ({error})."

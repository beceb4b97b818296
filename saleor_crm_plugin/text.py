"""Text rules: what PostgreSQL can store (no NUL, no lone surrogate), what may become a mail header."""

import re

# C0 and C1 controls, DEL, and Unicode's line and paragraph separators: none may be in a header, where a
# CR/LF would end it (Django refuses such a header, so one saved value would fail every mail).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def is_storable_text(value: str) -> bool:
    """Whether ``value`` can go into a PostgreSQL text column (UTF-8, no NUL)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. from JSON "\\ud800"
        return False
    return True


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a line break or another control character (never allowed in a header)."""
    return CONTROL_CHARACTERS.search(text) is not None


def one_line(text: str) -> str:
    """``text`` fit for a header: control characters (line breaks included) become spaces, runs of spaces one."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())

"""What text PostgreSQL can store: no NUL character, no lone surrogate."""


def is_storable_text(value: str) -> bool:
    """Whether ``value`` can go into a PostgreSQL text column (UTF-8, no NUL)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. from JSON "\\ud800"
        return False
    return True

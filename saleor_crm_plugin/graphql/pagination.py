"""Relay-style connections with opaque offset cursors (``first`` ≤ 100, ``after``)."""

import base64
import re

import graphene

from .errors import APIError, CRMErrorCode

MAX_FIRST = 100
DEFAULT_FIRST = 20
MAX_CURSOR_LENGTH = 40
MAX_OFFSET = 2**63 - MAX_FIRST - 2  # OFFSET and OFFSET + LIMIT must fit PostgreSQL's bigint
CURSOR = re.compile(r"offset:(0|[1-9][0-9]{0,18})")


class CRMPageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    has_previous_page = graphene.Boolean(required=True)
    start_cursor = graphene.String()
    end_cursor = graphene.String()


def check_first(first, field: str = "first", default: int = DEFAULT_FIRST) -> int:
    """``first`` as given (``default`` when absent); ``OUT_OF_RANGE`` outside 1…``MAX_FIRST``, 0 included."""
    if first is None:
        return default
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= MAX_FIRST:
        raise APIError(CRMErrorCode.OUT_OF_RANGE.value, f"{field} must be between 1 and {MAX_FIRST}.", field)
    return first


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset after ``cursor`` (0 without one); ``INVALID`` (field ``after``) for anything not ours."""
    if cursor is None:
        return 0
    try:
        text = base64.b64decode(cursor[:MAX_CURSOR_LENGTH], validate=True).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        text = ""
    match = CURSOR.fullmatch(text) if len(cursor) <= MAX_CURSOR_LENGTH else None
    if match is None or int(match.group(1)) >= MAX_OFFSET:
        raise APIError(CRMErrorCode.INVALID.value, "after is not a cursor from this API.", "after")
    return int(match.group(1)) + 1


def paginate(queryset, first, after) -> dict:
    """A page of ``queryset`` (already ordered) as connection data."""
    first = check_first(first)
    start = decode_cursor(after)
    rows = list(queryset[start : start + first + 1])
    page = rows[:first]
    edges = [{"node": node, "cursor": encode_cursor(start + i)} for i, node in enumerate(page)]
    return {
        "edges": edges,
        "nodes": page,
        "page_info": CRMPageInfo(
            has_next_page=len(rows) > first, has_previous_page=start > 0,
            start_cursor=edges[0]["cursor"] if edges else None, end_cursor=edges[-1]["cursor"] if edges else None,
        ),
        "queryset": queryset,
    }


def connection(node_type, name: str):
    """A ``<name>Connection`` type with edges, pageInfo and totalCount."""
    edge = type(f"{name}Edge", (graphene.ObjectType,), {
        "node": graphene.Field(node_type, required=True),
        "cursor": graphene.String(required=True),
        "resolve_node": staticmethod(lambda root, info: root["node"]),
        "resolve_cursor": staticmethod(lambda root, info: root["cursor"]),
    })
    return type(f"{name}Connection", (graphene.ObjectType,), {
        "edges": graphene.List(graphene.NonNull(edge), required=True),
        "page_info": graphene.Field(CRMPageInfo, required=True),
        "total_count": graphene.Int(required=True),
        "resolve_edges": staticmethod(lambda root, info: root["edges"]),
        "resolve_page_info": staticmethod(lambda root, info: root["page_info"]),
        "resolve_total_count": staticmethod(lambda root, info: root["queryset"].count()),
    })

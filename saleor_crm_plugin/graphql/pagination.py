"""Relay-style connections with opaque offset cursors (``first`` ≤ 100, ``after``)."""

import base64

import graphene

from .errors import APIError, CRMErrorCode

MAX_FIRST = 100


class CRMPageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    has_previous_page = graphene.Boolean(required=True)
    start_cursor = graphene.String()
    end_cursor = graphene.String()


def check_first(first, field: str = "first") -> int:
    if first is None:
        return 20
    if not 1 <= first <= MAX_FIRST:
        raise APIError(CRMErrorCode.OUT_OF_RANGE.value, f"{field} must be between 1 and {MAX_FIRST}.", field)
    return first


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, value = base64.b64decode(cursor, validate=True).decode().partition(":")
        if kind == "offset" and int(value) >= 0:
            return int(value) + 1
    except (ValueError, UnicodeDecodeError):
        pass
    raise APIError(CRMErrorCode.INVALID.value, "after is not a cursor from this API.", "after")


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

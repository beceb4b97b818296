"""Query limits, all checked before a request's document is executed.

Cheapest first, so that no request can make a worker do much work before it
is refused (code ``query_too_complex`` unless said otherwise):

1. ``scan`` — before ``parse``: the document's size in bytes, its number of
   tokens (graphql-core's lexer, stopped at the limit) and how deeply its
   brackets (``{``, ``(``, ``[``) nest. The parser is recursive descent, so
   bounding the brackets bounds its recursion: a 300-level query is refused
   here and can never raise ``RecursionError``. String literals holding a NUL
   or a lone surrogate are refused in the same pass (``invalid_value``), and
   number literals longer than ``MAX_NUMBER_LENGTH`` (``out_of_range``).
2. ``measure`` — after ``parse``, against the schema: how many fields the
   document selects, how deeply they nest and what the request costs. A field costs 1 plus its children; a field
   with ``first`` multiplies its children by ``first`` (its default when it
   is absent or a variable without a value; at most ``MAX_FIRST``), other
   list fields by ``LIST_SIZE`` (a connection's ``edges`` by 1), and
   ``_entities`` by its number of representations (at most
   ``MAX_ENTITIES``). Fragments are costed once and memoised, so a chain of
   fragments each spreading the next twice is measured in linear time (its
   cost still counts every expansion).
3. ``check`` — at most ``MAX_FIELDS`` fields, nested at most ``MAX_DEPTH``
   deep, and one cost budget per request, by caller: ``ANONYMOUS_MAX_COST``,
   ``SHOPPER_MAX_COST``, ``STAFF_MAX_COST``. A refusal carries the measured
   ``cost`` and the ``max_cost`` (the view puts them in ``extensions``).

This follows Saleor's query-cost idea (a cost per field, multiplied by the
page size asked for, checked against a maximum before execution).
"""

from dataclasses import dataclass

from graphql.language import ast
from graphql.language.lexer import Lexer, TokenKind
from graphql.language.source import Source
from graphql.type import GraphQLList, GraphQLNonNull

from ..text import is_storable_text
from .errors import APIError, CRMErrorCode
from .pagination import DEFAULT_FIRST, MAX_FIRST

MAX_DOCUMENT_BYTES = 16_384  # the largest example operation is under 1 KB
MAX_TOKENS = 3_000  # lexing and parsing 3,000 tokens takes ~30 ms
MAX_NESTING = 32  # brackets open at once: ({[ ; bounds the parser's recursion
MAX_DEPTH = 10  # fields nested in one another, fragments expanded
# Fields written in the document (aliases included, a fragment's once). graphql-core 2 validates and
# executes ~1 field per 0.5 ms whatever its cost, so 250 aliased fields would hold a worker for 250 ms.
MAX_FIELDS = 200
MAX_ENTITIES = 100  # representations in one _entities call
MAX_NUMBER_LENGTH = 40  # characters of a number literal; GraphQL's Int holds 10 digits, a Float ~25 characters

# Cost budgets per request, measured on graphql/operations/: a storefront
# recommendations query of 10 products costs 16-31, the gateway's _entities
# example ~20 per representation, a shopper's 50 orders with lines ~3,750, the
# Dashboard's customers page of 50 (spend, notes, 5 recommendations, 3 recent
# orders each) ~4,100.
ANONYMOUS_MAX_COST = 2_000
SHOPPER_MAX_COST = 10_000
STAFF_MAX_COST = 50_000

LIST_SIZE = 10  # what a list field without `first` (lines, notes, spend…) is assumed to hold
# `first` when absent, as the resolvers default it (see recommendations.py and types.py)
FIRST_DEFAULTS = {"recommendations": 10, "alsoBought": 10, "similarProducts": 10, "timeline": 20, "recentOrders": 5}

_OPENERS = {TokenKind.BRACE_L, TokenKind.PAREN_L, TokenKind.BRACKET_L}
_CLOSERS = {TokenKind.BRACE_R, TokenKind.PAREN_R, TokenKind.BRACKET_R}
_NUMBERS = {TokenKind.INT, TokenKind.FLOAT}


class QueryTooComplex(APIError):
    """``query_too_complex``, with what was measured (``cost``) and the caller's budget (``max_cost``)."""

    def __init__(self, message: str, field: str | None = None, *, cost: int | None = None,
                 max_cost: int | None = None):
        super().__init__(CRMErrorCode.QUERY_TOO_COMPLEX.value, message, field)
        self.cost, self.max_cost = cost, max_cost


@dataclass(frozen=True)
class Measurement:
    depth: int  # deepest field nesting
    cost: int
    fields: int = 0  # field nodes in the document


def scan(query: str) -> None:
    """Refuse a document too large, with too many tokens or nesting too deeply, before it is parsed.

    Raises ``QueryTooComplex``, ``APIError(invalid_value)`` for a string
    literal that cannot be stored (NUL, lone surrogate; ``field`` is the
    argument it is given to), or graphql-core's ``GraphQLSyntaxError``.
    """
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise QueryTooComplex(f"A query may hold {MAX_DOCUMENT_BYTES:,} bytes (this one: {size:,}).",
                              cost=size, max_cost=MAX_DOCUMENT_BYTES)
    lexer = Lexer(Source(query))
    tokens = nesting = 0
    last_name = key = None
    while True:
        token = lexer.next_token()
        kind = token.kind
        if kind == TokenKind.EOF:
            return
        tokens += 1
        if tokens > MAX_TOKENS:
            raise QueryTooComplex(f"A query may hold {MAX_TOKENS:,} tokens.", cost=tokens, max_cost=MAX_TOKENS)
        if kind in _OPENERS:
            nesting += 1
            if nesting > MAX_NESTING:
                raise QueryTooComplex(f"Brackets may nest {MAX_NESTING} levels.", cost=nesting,
                                      max_cost=MAX_NESTING)
        elif kind in _CLOSERS:
            nesting -= 1
        elif kind == TokenKind.NAME:
            last_name = token.value
        elif kind == TokenKind.COLON:
            key = last_name  # the argument (or input field) a value is given to
        elif kind == TokenKind.STRING and not is_storable_text(token.value):
            raise APIError(CRMErrorCode.INVALID_VALUE.value,
                           "Text may not hold NUL characters or lone surrogates.", key)
        elif kind in _NUMBERS and len(token.value) > MAX_NUMBER_LENGTH:
            # Python would turn 5,000 digits into an int only to fail later (or refuse past 4,300 digits).
            raise APIError(CRMErrorCode.OUT_OF_RANGE.value,
                           f"A number literal may have {MAX_NUMBER_LENGTH} characters.", key)


def measure(document: ast.Document, schema, variables: dict, operation_name: str | None = None) -> Measurement:
    """Depth and cost of the operation to run (every operation when the name is missing or unknown)."""
    operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinition)]
    chosen = [o for o in operations if operation_name and o.name and o.name.value == operation_name]
    coster = _Coster(schema, document, variables)
    depth = cost = 0
    for operation in chosen or operations:
        root = schema.get_mutation_type() if operation.operation == "mutation" else schema.get_query_type()
        inner_cost, inner_depth = coster.selections(operation.selection_set, root)
        depth, cost = max(depth, inner_depth), max(cost, inner_cost)
    return Measurement(depth=depth, cost=cost, fields=coster.fields)


def max_cost_for(caller) -> int:
    """The budget of one request by ``caller`` (anonymous, shopper, or staff with MANAGE_USERS)."""
    if caller.is_anonymous:
        return ANONYMOUS_MAX_COST
    return STAFF_MAX_COST if caller.can_manage_users else SHOPPER_MAX_COST


def check(measurement: Measurement, caller) -> None:
    """Refuse a request nested deeper than ``MAX_DEPTH``, with more than ``MAX_FIELDS`` fields, or costing
    more than the caller's budget."""
    if measurement.fields > MAX_FIELDS:
        raise QueryTooComplex(f"A query may select {MAX_FIELDS} fields (this one: {measurement.fields}).",
                              cost=measurement.cost, max_cost=max_cost_for(caller))
    if measurement.depth > MAX_DEPTH:
        raise QueryTooComplex(f"Fields may nest {MAX_DEPTH} levels (this query: {measurement.depth}).",
                              cost=measurement.cost, max_cost=max_cost_for(caller))
    budget = max_cost_for(caller)
    if measurement.cost > budget:
        raise QueryTooComplex(f"This query costs {measurement.cost:,}; the limit is {budget:,}.",
                              cost=measurement.cost, max_cost=budget)


def _named(graphql_type):
    while isinstance(graphql_type, (GraphQLList, GraphQLNonNull)):
        graphql_type = graphql_type.of_type
    return graphql_type


def _is_list(graphql_type) -> bool:
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return isinstance(graphql_type, GraphQLList)


class _Coster:
    """Walks selections once; a fragment's (cost, depth) is memoised by name."""

    def __init__(self, schema, document: ast.Document, variables: dict):
        self.schema, self.variables = schema, variables
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)}
        self.memo: dict[str, tuple[int, int]] = {}
        self.visiting: set[str] = set()
        self.fields = 0

    def selections(self, selection_set, parent) -> tuple[int, int]:
        """(cost, depth) of a selection set on ``parent`` (a GraphQL type, or None when unknown)."""
        cost = depth = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, ast.Field):
                inner_cost, inner_depth = self.field(selection, parent)
            elif isinstance(selection, ast.FragmentSpread):
                inner_cost, inner_depth = self.fragment(selection.name.value)
            else:
                inner_cost, inner_depth = self.selections(selection.selection_set,
                                                          self.type_named(selection.type_condition) or parent)
            cost, depth = cost + inner_cost, max(depth, inner_depth)
        return cost, depth

    def fragment(self, name: str) -> tuple[int, int]:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return 0, 0  # unknown or cyclic: validation refuses the document before it runs
        self.visiting.add(name)
        self.memo[name] = self.selections(definition.selection_set, self.type_named(definition.type_condition))
        self.visiting.discard(name)
        return self.memo[name]

    def type_named(self, condition):
        return self.schema.get_type(condition.name.value) if condition is not None else None

    def field(self, node: ast.Field, parent) -> tuple[int, int]:
        self.fields += 1
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(node.name.value)
        child = _named(definition.type) if definition is not None else None
        inner_cost, inner_depth = self.selections(node.selection_set, child)
        return 1 + self.multiplier(node, definition) * inner_cost, 1 + inner_depth

    def multiplier(self, node: ast.Field, definition) -> int:
        name = node.name.value
        arguments = {argument.name.value: argument.value for argument in node.arguments or ()}
        if name == "_entities":
            return self.representations(arguments.get("representations"))
        if definition is not None and "first" in definition.args:
            first = self.value(arguments.get("first"))
            if not isinstance(first, int) or isinstance(first, bool):
                first = FIRST_DEFAULTS.get(name, DEFAULT_FIRST) if first is None else MAX_FIRST
            return min(max(first, 1), MAX_FIRST)  # out of range is refused by the resolver
        if name == "edges":
            return 1  # a connection's edges: its `first` already multiplied them
        if definition is not None and _is_list(definition.type):
            return LIST_SIZE
        return 1

    def value(self, node):
        if node is None:
            return None
        if isinstance(node, ast.Variable):
            return self.variables.get(node.name.value)
        if isinstance(node, ast.IntValue):
            return int(node.value)
        return MAX_FIRST  # a value of the wrong type: validation refuses it

    def representations(self, node) -> int:
        if isinstance(node, ast.Variable):
            value = self.variables.get(node.name.value)
            count = len(value) if isinstance(value, list) else 1
        else:
            count = len(node.values) if isinstance(node, ast.ListValue) else 1
        if count > MAX_ENTITIES:
            raise APIError(CRMErrorCode.OUT_OF_RANGE.value,
                           f"_entities resolves at most {MAX_ENTITIES} representations at once (got {count:,}).",
                           "representations")
        return max(count, 1)

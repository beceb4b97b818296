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
   document selects, how deeply they nest and what the request costs, in
   units of ~40 µs of a worker's time on a shop of 1M customers (``costs.py``).
   A field costs its call (1, or what its resolver's query takes) plus what
   its arguments add (a filter that scans every customer, an ``after`` cursor
   deep into a table) plus, for each object it returns, its item cost and its
   selections. A list field returns ``first`` objects (its default when it is
   absent or a variable without a value; at most ``MAX_FIRST``), or
   ``LIST_SIZE``; a connection's (or satisfaction's) ``first`` sizes its
   ``edges`` (``history``); ``_entities`` returns its representations (at
   most ``MAX_ENTITIES``). Fragments are costed once per page size and
   memoised, so a chain of fragments each spreading the next twice is
   measured in linear time (its cost still counts every expansion).
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
from .costs import ARGUMENT_COSTS, CALL_COSTS, ITEM_COSTS, OFFSET_CAPS, OFFSET_ROWS_PER_UNIT, PUBLIC, STAFF_BUDGET
from .errors import APIError, CRMErrorCode
from .pagination import DEFAULT_FIRST, MAX_FIRST, decode_cursor

MAX_DOCUMENT_BYTES = 16_384  # the largest example operation is under 1 KB
MAX_TOKENS = 3_000  # lexing and parsing 3,000 tokens takes ~30 ms
MAX_NESTING = 32  # brackets open at once: ({[ ; bounds the parser's recursion
MAX_DEPTH = 10  # fields nested in one another, fragments expanded
# Fields written in the document (aliases included, a fragment's once). graphql-core 2 validates and
# executes ~1 field per 0.5 ms whatever its cost, so 250 aliased fields would hold a worker for 250 ms.
MAX_FIELDS = 200
MAX_ENTITIES = 100  # representations in one _entities call
MAX_NUMBER_LENGTH = 40  # characters of a number literal; GraphQL's Int holds 10 digits, a Float ~25 characters

# Cost budgets per request, in costs.py's units (~40 µs each on the 1M-customer shop): staff 2 s, a shopper
# 0.4 s, an anonymous caller 0.08 s. A storefront recommendations query of 10 products costs ~130, the
# gateway's _entities example ~150 per representation, a shopper's 50 orders with lines ~1,400, the
# Dashboard's customers page of 50 (spend, notes, 5 recommendations, 3 recent orders each, total) ~12,000,
# the overview report ~36,000 (bench/graphql_cost.py prints them all with their times).
ANONYMOUS_MAX_COST = 2_000
SHOPPER_MAX_COST = 10_000
STAFF_MAX_COST = STAFF_BUDGET

LIST_SIZE = 10  # what a list field without `first` (lines, notes, spend…) is assumed to hold
# `first` when absent, as the resolvers default it (see recommendations.py and types.py)
FIRST_DEFAULTS = {"recommendations": 10, "alsoBought": 10, "similarProducts": 10, "timeline": 20, "recentOrders": 5,
                  "crmRecommendationModels": 10}
# Lists sized by the `first` of the object around them: a connection's edges, a customer's survey answers.
PAGED_LISTS = {"edges", "nodes", "history"}

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


def measure(document: ast.Document, schema, variables: dict, operation_name: str | None = None, *,
            staff: bool = True) -> Measurement:
    """Depth and cost of the operation to run (every operation when the name is missing or unknown). For a
    caller who is not ``staff`` a staff-only field costs 1: its resolver refuses it before doing anything."""
    operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinition)]
    chosen = [o for o in operations if operation_name and o.name and o.name.value == operation_name]
    coster = _Coster(schema, document, variables, staff)
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


def _arguments(node: ast.Field) -> dict:
    return {argument.name.value: argument.value for argument in node.arguments or ()}


def _is_list(graphql_type) -> bool:
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return isinstance(graphql_type, GraphQLList)


class _Coster:
    """Walks selections once; a fragment's (cost, depth) is memoised by its name and the page it is under."""

    def __init__(self, schema, document: ast.Document, variables: dict, staff: bool = True):
        self.schema, self.variables, self.staff = schema, variables, staff
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)}
        self.memo: dict[tuple[str, int | None], tuple[int, int]] = {}
        self.visiting: set[str] = set()
        self.fields = 0

    def selections(self, selection_set, parent, page: int | None = None) -> tuple[int, int]:
        """(cost, depth) of a selection set on ``parent`` (a GraphQL type, or None when unknown); ``page`` is
        the ``first`` of the enclosing connection (or satisfaction), the size of its ``edges`` (``history``)."""
        cost = depth = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, ast.Field):
                inner_cost, inner_depth = self.field(selection, parent, page)
            elif isinstance(selection, ast.FragmentSpread):
                inner_cost, inner_depth = self.fragment(selection.name.value, page)
            else:
                inner_cost, inner_depth = self.selections(selection.selection_set,
                                                          self.type_named(selection.type_condition) or parent, page)
            cost, depth = cost + inner_cost, max(depth, inner_depth)
        return cost, depth

    def fragment(self, name: str, page: int | None) -> tuple[int, int]:
        if (name, page) in self.memo:
            return self.memo[name, page]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return 0, 0  # unknown or cyclic: validation refuses the document before it runs
        self.visiting.add(name)
        self.memo[name, page] = self.selections(definition.selection_set,
                                                self.type_named(definition.type_condition), page)
        self.visiting.discard(name)
        return self.memo[name, page]

    def type_named(self, condition):
        return self.schema.get_type(condition.name.value) if condition is not None else None

    def field(self, node: ast.Field, parent, page: int | None) -> tuple[int, int]:
        self.fields += 1
        name = node.name.value
        definition = (getattr(parent, "fields", None) or {}).get(name)
        key = f"{getattr(parent, 'name', '')}.{name}"
        first = self.first(node, definition)
        is_list = definition is not None and _is_list(definition.type)
        if name == "_entities":
            size = self.representations(_arguments(node).get("representations"))
        elif is_list:
            size = first or (page if name in PAGED_LISTS and page else LIST_SIZE)
        else:
            size = 1
        # A `first` on an object (a connection, satisfaction) sizes the list inside it, not the object.
        inner_page = first if first and not is_list else None
        child = _named(definition.type) if definition is not None else None
        inner_cost, inner_depth = self.selections(node.selection_set, child, inner_page)
        if not self.staff and key not in PUBLIC:
            own, item = 1, 0
        else:
            own = CALL_COSTS.get(key, 1) + self.arguments_cost(key, node) + self.skipped(key, node, definition)
            item = ITEM_COSTS.get(key, 0)
        return own + size * (item + inner_cost), 1 + inner_depth

    def arguments_cost(self, key: str, node: ast.Field) -> int:
        """What the arguments given add (``costs.ARGUMENT_COSTS``: ``filter.search``, ``sortBy.field=CLV``): the
        dearest of them, as they shape one SQL statement (a filter narrows what a sort then reads)."""
        priced = ARGUMENT_COSTS.get(key)
        if not priced:
            return 0
        arguments = _arguments(node)
        cost = 0
        for path, extra in priced.items():
            path, _, wanted = path.partition("=")
            value = self.argument(arguments, path.split("."))
            if value is not None and (not wanted or value == wanted):
                cost = max(cost, extra)
        return cost

    def argument(self, arguments: dict, path: list[str]):
        """The value at ``path`` (``["filter", "search"]``) of literal or variable arguments; None if absent."""
        value = arguments.get(path[0])
        for name in path[1:]:
            if isinstance(value, ast.Variable):
                value = self.variables.get(value.name.value)
            if isinstance(value, ast.ObjectValue):
                value = next((f.value for f in value.fields if f.name.value == name), None)
            elif isinstance(value, dict):
                value = value.get(name)
            else:
                return None
        if isinstance(value, ast.Variable):
            value = self.variables.get(value.name.value)
        if isinstance(value, (ast.EnumValue, ast.StringValue, ast.BooleanValue)):
            value = value.value
        return value

    def skipped(self, key: str, node: ast.Field, definition) -> int:
        """What the rows an ``after`` cursor makes PostgreSQL read and skip (``OFFSET``) cost."""
        if definition is None or "after" not in definition.args:
            return 0
        cursor = self.argument(_arguments(node), ["after"])
        try:
            offset = decode_cursor(cursor) if isinstance(cursor, str) else 0
        except APIError:
            return 0  # not a cursor of ours: the resolver refuses it
        return min(offset, OFFSET_CAPS.get(key, offset)) // OFFSET_ROWS_PER_UNIT

    def first(self, node: ast.Field, definition) -> int | None:
        """The field's ``first`` (its default when absent or a variable without a value; at most
        ``MAX_FIRST``), or None for a field without one."""
        if definition is None or "first" not in definition.args:
            return None
        first = self.value(_arguments(node).get("first"))
        if not isinstance(first, int) or isinstance(first, bool):
            first = FIRST_DEFAULTS.get(node.name.value, DEFAULT_FIRST) if first is None else MAX_FIRST
        return min(max(first, 1), MAX_FIRST)  # out of range is refused by the resolver

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

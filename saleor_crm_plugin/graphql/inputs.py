"""Input values checked against their types before a request runs, each refusal naming its field.

graphql-core 2 coerces variables and literals itself, but some values make it
fail instead of refusing them: an ``Int`` variable beyond 32 bits raises a bare
``Exception``, a ``Float`` beyond the float range ``OverflowError``, and a
``JSONString`` is ``json.loads``-ed without bounds (a 100,000-deep value
raises ``RecursionError``). ``check_inputs`` walks the variables (by their
declared types; field = the variable, e.g. ``input.rules``) and the literal
arguments (by the argument's type; field = the argument, e.g.
``filter.minOrders``) and refuses such values with ``out_of_range`` or
``invalid_value``:

* ``Int``: a whole number within 32 bits (what GraphQL's Int is);
* ``Float``: a finite number;
* ``JSONString``: text ``json_input.loads`` accepts (nesting, size, digits).
"""

import math

import graphene
from graphql.language import ast
from graphql.type import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType
from graphql.utils.type_from_ast import type_from_ast

from .. import json_input
from .errors import APIError, CRMErrorCode

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
JSON_CODES = {"number_too_long": CRMErrorCode.OUT_OF_RANGE.value}


class JSONString(graphene.JSONString):
    """A JSON value sent as a string; parsed with ``json_input.loads`` (bounded depth, size and digits)."""

    class Meta:
        name = "JSONString"

    @staticmethod
    def parse_literal(node):
        if isinstance(node, ast.StringValue):
            return parse_json(node.value, None)
        return None

    @staticmethod
    def parse_value(value):
        return parse_json(value, None)


def parse_json(text, field: str | None):
    """The value of JSON ``text``; ``invalid_value`` (``out_of_range`` for a huge integer) naming ``field``."""
    try:
        return json_input.loads(text)
    except json_input.JSONInputError as error:
        raise APIError(JSON_CODES.get(error.reason, CRMErrorCode.INVALID_VALUE.value), error.message, field) \
            from None


def check_inputs(document: ast.Document, schema, variables: dict, operation_name: str | None = None) -> None:
    """Refuse variables and literal arguments their types cannot hold (see the module docstring)."""
    operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinition)]
    chosen = [o for o in operations if operation_name and o.name and o.name.value == operation_name]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)}
    walker = _Literals(schema, fragments)
    for operation in chosen or operations:
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            graphql_type = type_from_ast(schema, definition.type)
            if name in variables and graphql_type is not None:
                _check_value(graphql_type, variables[name], name)
        root = schema.get_mutation_type() if operation.operation == "mutation" else schema.get_query_type()
        walker.selections(operation.selection_set, root)


def _check_value(graphql_type, value, path: str) -> None:
    """A variable's value (Python, from the JSON body) against its type."""
    if value is None:
        return
    if isinstance(graphql_type, GraphQLNonNull):
        _check_value(graphql_type.of_type, value, path)
    elif isinstance(graphql_type, GraphQLList):
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            _check_value(graphql_type.of_type, item, f"{path}.{index}" if isinstance(value, list) else path)
    elif isinstance(graphql_type, GraphQLInputObjectType):
        if isinstance(value, dict):
            for name, field in graphql_type.fields.items():
                if name in value:
                    _check_value(field.type, value[name], f"{path}.{name}")
    elif isinstance(graphql_type, GraphQLScalarType):
        _check_scalar(graphql_type.name, value, path)


def _check_scalar(name: str, value, path: str) -> None:
    if name == "Int":
        number = _as_int(value)
        if number is not None and not INT_MIN <= number <= INT_MAX:
            raise APIError(CRMErrorCode.OUT_OF_RANGE.value, f"{path} is a whole number within 32 bits.", path)
    elif name == "Float" and not isinstance(value, bool):
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        except (ValueError, TypeError):
            return  # graphql-core refuses it with its own message
        if not finite:
            raise APIError(CRMErrorCode.OUT_OF_RANGE.value, f"{path} is a finite number.", path)
    elif name == "JSONString" and isinstance(value, str):
        parse_json(value, path)


def _as_int(value):
    """What graphql-core's Int coercion makes of ``value`` (``int(value)``, else ``int(float(value))``); ``inf``
    where that overflows, ``None`` where it refuses the value with a message of its own."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except OverflowError:  # a float infinity
        return math.inf
    except (ValueError, TypeError):
        pass
    try:
        return int(float(value))
    except OverflowError:
        return math.inf
    except (ValueError, TypeError):
        return None


class _Literals:
    """Literal arguments of every field (fragments once), each against its argument's type."""

    def __init__(self, schema, fragments: dict):
        self.schema, self.fragments, self.seen = schema, fragments, set()

    def selections(self, selection_set, parent) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, ast.Field):
                definition = (getattr(parent, "fields", None) or {}).get(selection.name.value)
                if definition is None:
                    continue  # unknown: validation refuses it
                for argument in selection.arguments or ():
                    known = definition.args.get(argument.name.value)
                    if known is not None:
                        _check_literal(known.type, argument.value, argument.name.value)
                self.selections(selection.selection_set, _named(definition.type))
            elif isinstance(selection, ast.FragmentSpread):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in self.seen:
                    self.seen.add(selection.name.value)
                    self.selections(fragment.selection_set, self._type(fragment.type_condition, parent))
            else:
                self.selections(selection.selection_set, self._type(selection.type_condition, parent))

    def _type(self, condition, parent):
        return self.schema.get_type(condition.name.value) if condition is not None else parent


def _check_literal(graphql_type, node, path: str) -> None:
    """A literal value (AST) against its type; variables inside it are checked by their definitions."""
    if node is None or isinstance(node, ast.Variable):
        return
    if isinstance(graphql_type, GraphQLNonNull):
        _check_literal(graphql_type.of_type, node, path)
    elif isinstance(graphql_type, GraphQLList):
        items = node.values if isinstance(node, ast.ListValue) else [node]
        for index, item in enumerate(items):
            _check_literal(graphql_type.of_type, item, f"{path}.{index}" if isinstance(node, ast.ListValue) else path)
    elif isinstance(graphql_type, GraphQLInputObjectType) and isinstance(node, ast.ObjectValue):
        for field in node.fields:
            known = graphql_type.fields.get(field.name.value)
            if known is not None:
                _check_literal(known.type, field.value, f"{path}.{field.name.value}")
    elif isinstance(graphql_type, GraphQLScalarType):
        if isinstance(node, ast.IntValue):
            _check_scalar(graphql_type.name, int(node.value), path)  # limits.scan bounded its digits
        elif isinstance(node, ast.FloatValue):
            _check_scalar(graphql_type.name, float(node.value), path)
        elif isinstance(node, ast.StringValue) and graphql_type.name == "JSONString":
            parse_json(node.value, path)


def _named(graphql_type):
    while isinstance(graphql_type, (GraphQLList, GraphQLNonNull)):
        graphql_type = graphql_type.of_type
    return graphql_type

"""Query limits checked before execution: nesting depth and number of selected fields."""

from graphql.language import ast

MAX_DEPTH = 10
MAX_FIELDS = 500


def measure(document: ast.Document, operation_name: str | None = None) -> tuple[int, int]:
    """(deepest field nesting, fields selected in total) of the operation to run, fragments expanded."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)}
    operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinition)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name] or operations
    deepest, total = 0, 0
    for operation in operations[:1] if operation_name else operations:
        depth, count = _walk(operation.selection_set, fragments, 0, set())
        deepest, total = max(deepest, depth), total + count
    return deepest, total


def _walk(selection_set, fragments, depth, visiting) -> tuple[int, int]:
    if selection_set is None:
        return depth, 0
    deepest, count = depth, 0
    for selection in selection_set.selections:
        if isinstance(selection, ast.Field):
            inner, inner_count = _walk(selection.selection_set, fragments, depth + 1, visiting)
            deepest, count = max(deepest, inner), count + 1 + inner_count
        else:
            if isinstance(selection, ast.FragmentSpread):
                name = selection.name.value
                if name in visiting or name not in fragments:
                    continue  # a cycle or an unknown fragment: validation reports it
                inner, inner_count = _walk(fragments[name].selection_set, fragments, depth, visiting | {name})
            else:
                inner, inner_count = _walk(selection.selection_set, fragments, depth, visiting)
            deepest, count = max(deepest, inner), count + inner_count
    return deepest, count

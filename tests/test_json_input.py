"""JSON from outside parsed within bounds: nesting, containers, digits; never RecursionError."""

import json

import pytest

from saleor_crm_plugin.json_input import MAX_CONTAINERS, MAX_DEPTH, JSONInputError, depth, loads


@pytest.mark.parametrize("text, reason", [
    ("[" * 100_000 + "]" * 100_000, "too_large"),
    ("[" * 100_000, "too_large"),  # never closed: refused before json.loads recurses into it
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "too_deep"),
    ('{"a": ' * 900 + "1" + "}" * 900, "too_deep"),  # deep enough for json.loads' own RecursionError
    ("[" + "9" * 4000 + "]", "number_too_long"),
    ("-" + "9" * 41, "number_too_long"),
    ("[NaN]", "invalid"),
    ("{not json", "invalid"),
    (b"\xff", "invalid"),
    (12, "invalid"),
], ids=["100,000 deep", "unclosed", "33 deep", "900 deep", "4,000 digits", "negative 41 digits", "NaN", "not json",
        "not utf-8", "not text"])
def test_what_is_refused_and_why(text, reason):
    with pytest.raises(JSONInputError) as refused:
        loads(text)
    assert refused.value.reason == reason


def test_what_passes_is_plain_json():
    # brackets inside strings are text (a template's CSS), and only count when many
    css = json.dumps({"body": "a { color: red } " * (MAX_CONTAINERS + 1)})
    assert loads(css)["body"].count("{") == MAX_CONTAINERS + 1
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert loads('{"id": 9223372036854775807, "big": "' + "9" * 100 + '"}')["id"] == 2**63 - 1
    assert loads("1e999") == float("inf")  # a float, not an integer: callers check their ranges


def test_depth_counts_containers_without_recursion():
    value = []
    for _ in range(5000):
        value = [value]
    assert depth(value) == 5001 and depth({"a": [1, {"b": []}]}) == 4 and depth(7) == 0

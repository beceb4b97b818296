import re

import pytest

from saleor_crm_plugin.campaigns.templates import CompiledTemplate, Renderer, compile_template, renderer
from saleor_crm_plugin.error_codes import CampaignErrorCode
from saleor_crm_plugin.errors import CRMError

RECOMMENDATIONS_MJML = """<mjml>
<mj-head><mj-style>.headline { color: #cc0000; }</mj-style></mj-head>
<mj-body>
<mj-section><mj-column>
<mj-text css-class="headline">Hello {{default customer.first_name "there"}},</mj-text>
<mj-button href="{{shop.url}}">Visit {{shop.name}}</mj-button>
</mj-column></mj-section>
<mj-raw>{{#each recommendations}}</mj-raw>
<mj-section><mj-column>
<mj-image src="{{image_url}}" href="{{url}}" alt="{{name}}" />
<mj-text><a href="{{url}}">{{name}}</a> {{price}}</mj-text>
</mj-column></mj-section>
<mj-raw>{{/each}}</mj-raw>
<mj-section><mj-column>
<mj-text font-size="11px"><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text>
</mj-column></mj-section>
</mj-body></mjml>"""

# The loop between components of one column: MJML puts them in table rows, where an HTML parser
# would move bare text out of the table.
IN_COLUMN_MJML = """<mjml><mj-body><mj-section><mj-column>
<mj-text>For you:</mj-text>
<mj-raw>{{#each recommendations}}</mj-raw>
<mj-text><a href="{{url}}">{{name}}</a> {{price}}</mj-text>
<mj-raw>{{/each}}</mj-raw>
<mj-text>Bye</mj-text>
</mj-column></mj-section></mj-body></mjml>"""


def products(n=4):
    return [{"product_id": i, "name": f"Record {i}", "image_url": f"https://cdn.example.com/{i}.jpg",
             "price": f"${i}0.00", "url": f"https://shop.example.com/p/{i}?ref=mail&x=1"} for i in range(1, n + 1)]


def context(**overrides):
    return {"customer": {"first_name": "Ann"}, "shop": {"name": "Record Shop", "url": "https://shop.example.com"},
            "unsubscribe_url": "https://api.example.com/unsubscribe/tok", "recommendations": products(),
            **overrides}


def test_mjml_becomes_responsive_html_with_inlined_styles():
    # given
    compiled = compile_template(subject="News", body=RECOMMENDATIONS_MJML)

    # when
    html = compiled.html

    # then
    assert "<mj-" not in html
    assert "@media only screen" in html  # media queries stay in <style>
    assert re.search(r'<td[^>]*class="headline"[^>]*style="[^"]*color: #cc0000', html)  # the class is inlined
    assert 'name="viewport"' in html


def test_expressions_in_text_and_attributes_survive_mjml_and_css_inlining():
    # given / when
    compiled = compile_template(subject="News", body=RECOMMENDATIONS_MJML)

    # then
    assert '{{default customer.first_name "there"}}' in compiled.html
    assert 'href="{{url}}"' in compiled.html
    assert 'src="{{image_url}}"' in compiled.html
    assert 'alt="{{name}}"' in compiled.html
    assert 'href="{{unsubscribe_url}}"' in compiled.html
    assert "<!--hb:" not in compiled.html


def test_recommendations_block_renders_each_product_with_escaped_links():
    # given
    compiled = compile_template(subject="News", body=RECOMMENDATIONS_MJML)

    # when
    mail = renderer(compiled).render(context())

    # then
    names = re.findall(r'<a href="https://shop.example.com/p/(\d)\?ref=mail&amp;x=1">Record \1</a> \$\d0.00', mail.html)
    assert names == ["1", "2", "3", "4"]
    assert mail.html.count('src="https://cdn.example.com/') == 4
    assert "Hello Ann," in mail.html


def test_a_loop_between_components_of_one_column_stays_in_place():
    # given
    compiled = compile_template(subject="News", body=IN_COLUMN_MJML)

    # when
    html = renderer(compiled).render(context()).html

    # then
    positions = [html.index(marker) for marker in ("For you:", "Record 1", "Record 4", "Bye")]
    assert positions == sorted(positions)


def test_an_html_loop_inside_a_table_stays_in_place():
    # given
    body = ("<html><head><style>td { padding: 4px; }</style></head><body><table>"
            "{{#each recommendations}}<tr><td><a href=\"{{url}}\">{{name}}</a></td></tr>{{/each}}"
            "</table></body></html>")

    # when
    compiled = compile_template(subject="News", body=body, body_format="html")
    html = renderer(compiled).render(context()).html

    # then
    assert html.count('<td style="padding: 4px;"><a href="https://shop.example.com/p/') == 4


def test_text_part_is_derived_with_link_targets_and_without_the_preheader():
    # given
    compiled = compile_template(subject="News", preheader="Fresh records inside", body=RECOMMENDATIONS_MJML)

    # when
    mail = renderer(compiled).render(context())

    # then
    assert "Hello Ann," in mail.text
    assert "Record 1 (https://shop.example.com/p/1?ref=mail&x=1) $10.00" in mail.text
    assert "Record 4 (https://shop.example.com/p/4?ref=mail&x=1) $40.00" in mail.text
    assert "Unsubscribe (https://api.example.com/unsubscribe/tok)" in mail.text
    assert "Fresh records inside" not in mail.text
    assert "<" not in mail.text and "&amp;" not in mail.text


def test_preheader_is_the_hidden_preview_at_the_start_of_the_body():
    # given
    compiled = compile_template(subject="News", preheader="Hi {{customer.first_name}} & friends",
                                body=RECOMMENDATIONS_MJML)

    # when
    html = renderer(compiled).render(context(customer={"first_name": "<Ann>"})).html

    # then
    after_body = html[re.search(r"<body[^>]*>", html).end():]
    assert after_body.startswith('<span class="crm-preheader" style="display:none')
    assert "Hi &lt;Ann&gt; &amp; friends</span>" in after_body


def test_subject_and_text_are_not_html_escaped_but_html_is():
    # given
    compiled = compile_template(subject="Tips for {{customer.first_name}} & <friends>",
                                body="<p>Hi {{customer.first_name}}</p>", body_format="html",
                                text="Hi {{customer.first_name}}, \"quotes\" & more")

    # when
    mail = renderer(compiled).render(context(customer={"first_name": "Tom & \"Jerry\""}))

    # then
    assert mail.subject == "Tips for Tom & \"Jerry\" & <friends>"
    assert mail.text == "Hi Tom & \"Jerry\", \"quotes\" & more"
    assert "<p>Hi Tom &amp; &quot;Jerry&quot;</p>" in mail.html


def test_subject_is_one_line_whatever_the_variables_hold():
    # given
    compiled = compile_template(subject="Hello {{customer.first_name}}", body="<p>x</p>", body_format="html")

    # when
    mail = renderer(compiled).render(context(customer={"first_name": "Ann\r\nBcc: x@example.com"}))

    # then
    assert mail.subject == "Hello Ann Bcc: x@example.com"


def test_missing_variables_render_empty():
    # given
    compiled = compile_template(
        subject="Hi {{customer.first_name}}{{nothing.here}}!",
        body="<p>[{{last_order.number}}]{{#each recommendations}}<b>{{name}}</b>{{/each}}"
             "{{#if last_order}}order{{/if}}</p>", body_format="html")

    # when
    mail = Renderer(compiled).render({})

    # then
    assert mail.subject == "Hi !"
    assert "<p>[]</p>" in mail.html
    assert mail.text == "[]"


def test_default_money_and_date_helpers():
    # given
    compiled = compile_template(
        subject="Hello {{default customer.first_name \"there\"}}",
        body="<p>x</p>", body_format="html",
        text="{{money last_order.total_amount last_order.currency}}|{{money amount \"JPY\"}}|"
             "{{date last_order.placed_at}}|{{money missing \"USD\"}}|{{date missing}}")
    variables = {"last_order": {"total_amount": "1234.5", "currency": "USD",
                                "placed_at": "2026-03-05T10:00:00+00:00"}, "amount": "1500.4"}

    # when
    mail = renderer(compiled).render(variables)

    # then
    assert mail.subject == "Hello there"
    assert mail.text == "$1,234.50|¥1,500|5 March 2026||"


def test_compiled_template_round_trips_through_json():
    # given
    compiled = compile_template(subject="News", body=RECOMMENDATIONS_MJML, text="Plain {{customer.first_name}}")

    # when
    restored = CompiledTemplate.from_json(compiled.as_json())

    # then
    assert restored == compiled
    assert Renderer(restored).render(context()).text == "Plain Ann"


VALID = {"subject": "News", "preheader": "", "body": "<p>x</p>", "body_format": "html", "text": ""}


@pytest.mark.parametrize(("changes", "code", "field", "message"), [
    ({"subject": "  "}, CampaignErrorCode.REQUIRED, "subject", "empty"),
    ({"body": ""}, CampaignErrorCode.REQUIRED, "body", "empty"),
    ({"subject": "x" * 501}, CampaignErrorCode.OUT_OF_RANGE, "subject", "500"),
    ({"preheader": "x" * 501}, CampaignErrorCode.OUT_OF_RANGE, "preheader", "500"),
    ({"body": "x" * 200_001}, CampaignErrorCode.OUT_OF_RANGE, "body", "200000"),
    ({"text": "x" * 200_001}, CampaignErrorCode.OUT_OF_RANGE, "text", "200000"),
    ({"text": "bad \x00 byte"}, CampaignErrorCode.INVALID, "text", "cannot be stored"),
    ({"subject": "lone \ud800"}, CampaignErrorCode.INVALID, "subject", "cannot be stored"),
    ({"body_format": "markdown"}, CampaignErrorCode.INVALID, "body_format", "mjml, html"),
    ({"body": "<p>\n\n{{customer.first_name}\n</p>"}, CampaignErrorCode.TEMPLATE_SYNTAX, "body", "Line 3:"),
    ({"body": "<p>\n{{#each recommendations}}\n{{name}}\n</p>"}, CampaignErrorCode.TEMPLATE_SYNTAX, "body",
     "Line 2: {{#each}} is never closed"),
    ({"body": "<p>\n{{#each recommendations}}\n{{name}}\n{{/if}}</p>"}, CampaignErrorCode.TEMPLATE_SYNTAX, "body",
     "Line 4: {{/if}} does not close {{#each}} (line 2)"),
    ({"text": "a\nb\n{{/each}}"}, CampaignErrorCode.TEMPLATE_SYNTAX, "text", "Line 3: {{/each}} closes no block"),
    ({"text": "a\n{{#each x}}\n{{#if y}}\n{{bad(}}\n{{/if}}{{/each}}"}, CampaignErrorCode.TEMPLATE_SYNTAX, "text",
     "Line 4: Cannot read the expression '{{bad(}}'"),
    ({"preheader": "{{#if}}x{{/if}}"}, CampaignErrorCode.TEMPLATE_SYNTAX, "preheader", "Line 1: {{#if}} needs"),
    ({"text": "one\n{{> footer}}"}, CampaignErrorCode.TEMPLATE_SYNTAX, "text", "Line 2: partials"),
    ({"body": "<p>\n\n\n{{frobnicate customer.first_name}}</p>"}, CampaignErrorCode.UNKNOWN_HELPER, "body",
     "Line 4: unknown helper 'frobnicate'"),
    ({"subject": "Hi {{shout customer.first_name}}"}, CampaignErrorCode.UNKNOWN_HELPER, "subject",
     "Line 1: unknown helper 'shout'"),
    ({"text": "a\n{{#repeat 3}}x{{/repeat}}"}, CampaignErrorCode.UNKNOWN_HELPER, "text",
     "Line 2: unknown helper 'repeat'"),
    ({"text": "a\n\n{{default (upper name) \"x\"}}"}, CampaignErrorCode.UNKNOWN_HELPER, "text",
     "Line 3: unknown helper 'upper'"),
    ({"body": "<mjml><mj-body><mj-section><mj-column></mj-body></mjml>", "body_format": "mjml"},
     CampaignErrorCode.INVALID_MJML, "body", "MJML compiler refuses"),
    ({"body": "just words", "body_format": "mjml"}, CampaignErrorCode.INVALID_MJML, "body", "MJML compiler refuses"),
    ({"body": "<mjml><mj-body><mj-section><mj-column>\n<mj-image width=\"{{width}}\" src=\"a.png\" />"
              "</mj-column></mj-section></mj-body></mjml>", "body_format": "mjml"},
     CampaignErrorCode.INVALID_MJML, "body", "Line 2: {{width}} is lost"),
])
def test_bad_sources_are_refused_with_a_code_field_and_line(changes, code, field, message):
    # given
    sources = {**VALID, **changes}

    # when
    with pytest.raises(CRMError) as caught:
        compile_template(**sources)

    # then
    assert caught.value.code == code
    assert caught.value.field == field
    assert message in caught.value.message


def test_a_plain_name_that_is_no_helper_is_a_variable():
    # given
    compiled = compile_template(subject="{{frobnicate}}|{{#last_order}}#{{number}}{{/last_order}}",
                                body="<p>x</p>", body_format="html")

    # when
    mail = renderer(compiled).render({"last_order": {"number": "42"}})

    # then
    assert mail.subject == "|#42"


def test_expressions_in_the_title_styles_and_background_urls():
    # given
    body = """<mjml><mj-head><mj-title>{{shop.name}}</mj-title>
<mj-style>.brand { color: {{colour}}; }</mj-style></mj-head>
<mj-body><mj-section background-url="{{background}}"><mj-column>
<mj-text css-class="brand">{{#each recommendations}}{{name}} {{/each}}</mj-text>
</mj-column></mj-section></mj-body></mjml>"""

    # when
    compiled = compile_template(subject="News", body=body)
    html = renderer(compiled).render(context(colour="#00aa00", background="https://cdn.example.com/bg.png")).html

    # then
    assert "<title>Record Shop</title>" in html
    assert "color: #00aa00" in html
    assert "url('https://cdn.example.com/bg.png')" in html
    assert "Record 1 Record 2 Record 3 Record 4" in html


def test_derived_text_leaves_out_a_link_target_that_is_empty():
    # given
    compiled = compile_template(subject="News", body=RECOMMENDATIONS_MJML)
    unlinked = [{**product, "url": ""} for product in products(2)]

    # when
    mail = renderer(compiled).render(context(recommendations=unlinked))

    # then
    assert "Record 1 $10.00" in mail.text
    assert "()" not in mail.text

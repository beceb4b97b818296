"""Property: any template source is compiled or refused with a coded error, and a compiled one renders any data."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_crm_plugin.campaigns.templates import Renderer, compile_template
from saleor_crm_plugin.error_codes import CampaignErrorCode
from saleor_crm_plugin.errors import CRMError

EXAMPLES = 300
CODES = {code.value for code in CampaignErrorCode}
# Pieces that stress the Handlebars and MJML parsers: unclosed blocks, partials, helpers, comments, raw.
pieces = st.sampled_from([
    "{{", "}}", "{{{", "}}}", "{{#each recommendations}}", "{{/each}}", "{{#if x}}", "{{else}}", "{{/if}}",
    "{{> partial}}", "{{frobnicate a}}", "{{default customer.first_name \"there\"}}", "{{!-- c --}}", "{{money 1 2}}",
    "{{date last_order.placed_at}}", "<mjml>", "</mjml>", "<mj-body>", "</mj-body>", "<mj-section>", "<mj-column>",
    "<mj-text>", "</mj-text>", "<mj-raw>", "</mj-raw>", "<mj-image src=\"{{url}}\"/>", "<p>", "</p>", "&amp;", "<",
    ">", "\x00", "\ud800", "\n", "customer.first_name", "{{customer.first_name}}", "{{../x}}", "{{this}}",
    "{{@index}}", "{{#with shop}}", "{{/with}}", "{{lookup a b}}", "{{log x}}",
])
sources = st.lists(pieces | st.text(max_size=8), max_size=25).map("".join)
data = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=10)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(subject=sources, body=sources, text=sources, body_format=st.sampled_from(["mjml", "html", "xml", ""]),
       context=st.dictionaries(st.sampled_from(["customer", "recommendations", "last_order", "shop", "x", "url"]),
                               data, max_size=4))
def test_any_source_compiles_or_is_refused_with_a_code_and_renders_any_data(subject, body, text, body_format, context):
    try:
        compiled = compile_template(subject=subject, body=body, body_format=body_format, text=text)
    except CRMError as error:
        assert error.code_value in CODES
        return
    mail = Renderer(compiled).render(context)
    assert isinstance(mail.subject, str) and isinstance(mail.html, str) and isinstance(mail.text, str)

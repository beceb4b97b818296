"""Our walk over dotpromptz-handlebars' tree renders what the library's own interpreter renders: generated
templates (blocks inside blocks, paths, data variables, helpers) over generated data, compared."""

import html

from dotpromptz_handlebars import Handlebars
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_crm_plugin.campaigns.handlebars import HELPERS, is_valid
from saleor_crm_plugin.campaigns.handlebars_render import compile_source, escape, text_of

EXAMPLES = 400
KEYS = ["a", "b", "items", "name", "x"]
PATHS = ["a", "b", "items", "name", "x", "this", ".", "..", "../a", "../../name", "a.b", "items.[0]", "items.[1].name",
         "@index", "@key", "@first", "@last", "@root.a", "@root.items", "@../index", "true", "false", "0", "1",
         "\"s\"", "'t'", "null", "[a]", "this.a", "./name", "__class__", "a.__class__", "it", "i"]
VALUES = PATHS[:12] + ["(default a \"d\")", "(lookup items 1)", "(lookup . \"name\")"]

paths = st.sampled_from(PATHS)
values = st.sampled_from(VALUES)
texts = st.sampled_from(["", " ", "-", "\n", "<&>", "\n  ", "x\n"])
leaf = st.one_of(
    texts,
    paths.map(lambda p: f"{{{{{p}}}}}"),
    paths.map(lambda p: f"{{{{{{{p}}}}}}}"),
    paths.map(lambda p: f"{{{{&{p}}}}}"),
    st.tuples(st.sampled_from(["default", "lookup"]), values, values).map(lambda h: f"{{{{{h[0]} {h[1]} {h[2]}}}}}"),
    st.just("{{log a}}"), st.just("{{! note }}"), st.just("\\{{a}}"),
)


def block(kind: str, argument: str, body: str, inverse: str | None, params: bool) -> str:
    if kind == "section":
        name = argument if argument in KEYS else "items"
        return f"{{{{#{name}}}}}{body}{'{{else}}' + inverse if inverse is not None else ''}{{{{/{name}}}}}"
    if kind == "inverted":
        name = argument if argument in KEYS else "a"
        return f"{{{{^{name}}}}}{body}{{{{/{name}}}}}"
    as_ = " as |it i|" if params and kind in ("each", "with") else ""
    zero = " includeZero=true" if kind == "if" and params else ""
    otherwise = "{{else}}" + inverse if inverse is not None else ""
    return f"{{{{#{kind} {argument}{as_}{zero}}}}}{body}{otherwise}{{{{/{kind}}}}}"


templates = st.recursive(
    st.lists(leaf, max_size=4).map("".join),
    lambda inner: st.builds(block, st.sampled_from(["if", "unless", "each", "with", "section", "inverted"]), values,
                            inner, st.none() | inner, st.booleans()).flatmap(
        lambda b: st.lists(inner, max_size=2).map(lambda rest: b + "".join(rest))),
    max_leaves=8,
)
scalars = st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from([0.0, 2.5, 3.0]) | st.sampled_from(
    ["", "s", "<b>&'\"`=</b>", "0"])
data = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(KEYS), inner, max_size=4), max_leaves=12)
rows = st.dictionaries(st.sampled_from(KEYS), data, max_size=4)
contexts = st.fixed_dictionaries({"items": st.lists(rows, max_size=3) | data},
                                 optional={key: data | rows for key in ("a", "b", "name", "x")})


def library(escaping: bool) -> Handlebars:
    engine = Handlebars(escape_html=escaping)
    for name, helper in HELPERS.items():
        engine.register_helper(name, helper)
    return engine


TEXT, HTML = library(False), library(True)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=templates, context=contexts)
def test_our_walk_renders_what_the_library_s_interpreter_renders(source, context):
    if not is_valid(source):
        return
    # given
    ours_text, ours_html = compile_source(source, escape=False), compile_source(source, escape=True)

    # when
    expected = TEXT.compile(source)(context)
    got = ours_text.render(context)

    # then: the same text, and escaped HTML that means the same (we leave "=" alone, as pybars3 did)
    assert got == expected
    assert html.unescape(ours_html.render(context)) == html.unescape(HTML.compile(source)(context))


def test_escaping_is_pybars3_s():
    # given / when / then
    assert escape("<a href=\"x?a=1&b='2'\">`</a>") == "&lt;a href=&quot;x?a=1&amp;b=&#x27;2&#x27;&quot;&gt;&#x60;&lt;/a&gt;"


def test_values_print_as_handlebars_prints_them():
    # given / when / then
    assert [text_of(v) for v in (None, True, False, 0, 2.0, 2.5, [1, [2, None]], {"a": 1}, "x")] == [
        "", "true", "false", "0", "2", "2.5", "1,2,", "[object Object]", "x"]

"""Every mail template the project ships, the fixed recipients they are rendered for, and the golden outputs.

``golden/pybars/*.json`` were written with pybars3, the engine before
dotpromptz-handlebars, before the switch: a record that is never rewritten.
``golden/*.json`` are today's outputs. ``test_golden`` renders every source
for every recipient and compares with ``golden/*.json``, and checks that
today's outputs differ from pybars3's only in the ways it lists, each with
its reason. A source is read from where it ships (the demo's MJML file, the
Dashboard's starter, the marketer guide, the benchmark, the test fixtures),
so a changed template shows as a changed source, not as an engine change.

    python -m tests.campaigns.golden_cases   # rewrite golden/*.json (after a deliberate change)
"""

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"


def _constant(path: str, name: str):
    """A module-level constant of a Python file, read without importing it (no Django set-up, no side effects)."""
    tree = ast.parse((ROOT / path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{name} not in {path}")


def _starter_mjml() -> str:
    source = (ROOT / "dashboard_extension/src/modules/campaigns/template-draft.ts").read_text()
    return re.search(r"export const STARTER_MJML = `(.*?)`;", source, re.S).group(1)


def _guide_example() -> str:
    guide = (ROOT / "docs/marketer-guide.md").read_text()
    section = guide[guide.index("### 3. A template"):]
    return re.search(r"```html\n(.*?)```", section, re.S).group(1)


# Every expression the documentation shows (templates.py, context.py, the marketer guide), in one text part.
DOCUMENTED_EXPRESSIONS = """Hello {{customer.greeting_name}} / {{default customer.first_name "friend"}} / {{customer.full_name}}
{{shop.name}} {{shop.url}} {{channel.slug}} {{unsubscribe_url}}
{{#if last_order}}Order {{last_order.number}} of {{date last_order.placed_at}}: {{last_order.total}} = {{money last_order.total_amount last_order.currency}}
{{#each last_order.lines}}
- {{quantity}} x {{name}} {{variant}}
{{/each}}
{{else}}No order yet.
{{/if}}
{{#each recommendations}}
* {{name}} {{price}} ({{money price_amount currency}}) {{url}} {{image_url}}
{{/each}}"""

AUTOMATION_EXPRESSIONS = """{{#if checkout}}Cart (reminder {{checkout.reminder}}): {{checkout.total}} {{checkout.url}}
{{#each checkout.lines}}{{quantity}} x {{name}}; {{/each}}
{{/if}}{{#if order}}Order {{order.number}}{{/if}}
{{#each survey.scores}}[{{score}}: {{url}}]{{/each}}"""


def templates() -> dict[str, dict]:
    """``{name: sources}`` of every template in the repository (``compile_template`` keyword arguments)."""
    bench = _constant("bench/campaign_send.py", "TEMPLATE")
    return {
        "demo-for-you": {"subject": _constant("crm_host/demo_campaign.py", "SUBJECT"),
                         "preheader": _constant("crm_host/demo_campaign.py", "PREHEADER"),
                         "body": (ROOT / "docs/examples/for-you.mjml").read_text()},
        "dashboard-starter": {"subject": "Hello {{customer.first_name}}", "body": _starter_mjml()},
        "marketer-guide": {"subject": "Picked for {{customer.greeting_name}}", "body": _guide_example()},
        "bench-campaign": {"subject": "{{customer.greeting_name}}, new records", "body": bench},
        "documented-expressions": {"subject": "Hi {{default customer.first_name \"there\"}}",
                                   "body": "<p>{{customer.greeting_name}}</p>", "body_format": "html",
                                   "text": DOCUMENTED_EXPRESSIONS},
        "automation-expressions": {"subject": "{{customer.greeting_name}}, your cart", "body": "<p>x</p>",
                                   "body_format": "html", "text": AUTOMATION_EXPRESSIONS},
        "test-simple": {"subject": "Hello {{customer.first_name}}", "body": _constant("tests/conftest.py", "SIMPLE_MJML")},
        "test-campaign": {"subject": "News for {{default customer.first_name \"you\"}} & co",
                          "body": _constant("tests/campaigns/conftest.py", "MJML_BODY")},
        "test-recommendations": {"subject": "News", "preheader": "Hi {{customer.first_name}} & friends",
                                 "body": _constant("tests/campaigns/test_templates.py", "RECOMMENDATIONS_MJML")},
        "test-in-column": {"subject": "News", "body": _constant("tests/campaigns/test_templates.py", "IN_COLUMN_MJML")},
        "automation-reminder": {"subject": "abandoned_checkout for {{customer.email}}",
                                "body": _constant("tests/automations/conftest.py", "REMINDER_MJML")},
        "automation-survey": {"subject": "Survey", "body": _constant("tests/automations/conftest.py", "SURVEY_MJML")},
        "automation-thanks": {"subject": "Thanks", "body": _constant("tests/automations/conftest.py", "THANKS_MJML")},
    }


# Handlebars features one by one (text part: not escaped; ``html``: escaped), to see any engine difference.
FEATURES = {
    "each-data": "{{#each recommendations}}{{@index}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}}:{{name}} {{/each}}",
    "each-else": "{{#each nothing}}x{{else}}empty{{/each}}|{{#each recommendations}}{{else}}none{{/each}}",
    "each-object": "{{#each customer}}{{@key}}={{this}};{{/each}}",
    "each-parent": "{{#each recommendations}}{{../customer.first_name}}/{{@root.shop.name}}/{{name}} {{/each}}",
    "if-else": "{{#if last_order}}yes{{else}}no{{/if}}|{{#if nothing}}yes{{else}}no{{/if}}|"
               "{{#unless nothing}}u{{/unless}}|{{#if zero}}z{{/if}}|{{#if empty_list}}l{{/if}}",
    "with": "{{#with shop}}{{name}} {{url}}{{/with}}|{{#with nothing}}x{{else}}none{{/with}}",
    "section": "{{#last_order}}#{{number}}{{/last_order}}|{{^nothing}}inverted{{/nothing}}",
    "lookup": "{{lookup customer \"first_name\"}}|{{#with (lookup recommendations 1)}}{{name}}{{/with}}",
    "scalars": "{{flag}} {{no_flag}} {{count}} {{zero}} {{ratio}} {{whole_float}} {{nothing}}",
    "containers": "[{{tags}}] [{{customer}}]",
    "this": "{{#each tags}}({{this}}|{{.}}){{/each}}",
    "else-if": "{{#if nothing}}a{{else if last_order}}b{{else}}c{{/if}}",
    "block-params": "{{#each recommendations as |product i|}}{{i}}={{product.name}};{{/each}}",
    "paths": "{{customer.first_name}} {{this.customer.first_name}} {{customer.[first_name]}} {{./shop.name}}",
    "whitespace": "A {{~#each tags~}} ( {{this}} ) {{~/each~}} B",
    "standalone": "Items:\n{{#each last_order.lines}}\n- {{quantity}} x {{name}}\n{{/each}}\nTotal\n{{#if nothing}}\nhidden\n{{/if}}\nend",
    "comments": "a{{! short }}b{{!-- long }} --}}c",
    "escaped-tag": "\\{{customer.first_name}} {{customer.first_name}}",
    "data-is-data": "{{tricky}}",
    "helpers": "{{default nothing \"fallback\"}}|{{default customer.first_name \"x\"}}|{{money \"1234.5\" \"EUR\"}}|"
               "{{money count \"ZZZ\"}}|{{date \"2026-03-05\"}}|{{date last_order.placed_at \"yyyy-MM-dd\"}}|"
               "{{date \"garbage\"}}|{{money nothing \"USD\"}}|{{date nothing}}",
    "include-zero": "{{#if zero includeZero=true}}zero shown{{/if}}",
    "log": "a{{log \"x\" customer.first_name}}b",
    "subexpression": "{{default (lookup customer \"nickname\") customer.first_name}}",
    "html-escaping": "{{tricky}}|{{{tricky}}}|{{&tricky}}|{{quirky}}",
}


def contexts() -> dict[str, dict]:
    """Recipients: a regular customer, a newcomer with nothing known, and odd data."""
    recommendations = [
        {"product_id": 1, "name": "Kind of Blue", "image_url": "https://cdn.example.com/p/1.jpg", "price": "$19.99",
         "price_amount": "19.99", "currency": "USD", "url": "https://shop.example.com/web/products/kind-of-blue?id=1&src=mail"},
        {"product_id": 2, "name": "Rock & Roll <Live> \"Deluxe\"", "image_url": "https://cdn.example.com/p/2.jpg",
         "price": "$24.50", "price_amount": "24.50", "currency": "USD",
         "url": "https://shop.example.com/web/products/rock-roll?id=2"},
        {"product_id": 3, "name": "Café Tacvba — Re", "image_url": "https://cdn.example.com/p/3.jpg", "price": "$9.00",
         "price_amount": "9.00", "currency": "USD", "url": "https://shop.example.com/web/products/re?id=3"},
        {"product_id": 4, "name": "O'Brien's Ballads", "image_url": "", "price": "", "price_amount": "",
         "currency": "", "url": ""},
    ]
    regular = {
        "customer": {"first_name": "Ann", "last_name": "Lee", "full_name": "Ann Lee", "email": "ann@example.com",
                     "greeting_name": "Ann"},
        "shop": {"name": "Record Shop", "url": "https://shop.example.com"},
        "channel": {"slug": "web"},
        "unsubscribe_url": "https://shop.example.com/plugins/crm/unsubscribe/eyJwIjo0Mn0.sig-_=",
        "last_order": {"number": "1042", "placed_at": "2026-03-05T22:30:00+00:00", "total": "$44.49",
                       "total_amount": "44.49", "currency": "USD",
                       "lines": [{"name": "Kind of Blue", "variant": "180g", "quantity": 1},
                                 {"name": "Rock & Roll <Live>", "variant": "", "quantity": 2}]},
        "recommendations": recommendations,
        "checkout": {"lines": [{"name": "Kind of Blue", "quantity": 1}, {"name": "Sleeves", "quantity": 10}],
                     "total": "$29.99", "url": "https://shop.example.com/web/checkout?token=abc&step=2", "reminder": 2},
        "order": {"number": "1042", "id": "T3JkZXI6MQ=="},
        "survey": {"scale": "csat", "scores": [{"score": s, "url": f"https://shop.example.com/s/{s}?t=x"}
                                               for s in range(1, 6)]},
        "flag": True, "no_flag": False, "count": 3, "zero": 0, "ratio": 2.5, "whole_float": 4.0, "empty_list": [],
        "tags": ["jazz", "soul"], "tricky": "<b>Tom & \"Jerry\"</b> it's `x`=1 {{customer.email}}",
        "quirky": "a=b&c<d>",
    }
    newcomer = {
        "customer": {"first_name": "", "last_name": "", "full_name": "", "email": "new@example.com",
                     "greeting_name": "there"},
        "shop": {"name": "Record Shop", "url": ""},
        "channel": {"slug": "web"},
        "unsubscribe_url": "#",
        "last_order": None,
        "recommendations": [],
    }
    odd = {
        **regular,
        "customer": {"first_name": "Zoë\nO'Neil", "last_name": None, "full_name": "Zoë", "email": "z@example.com",
                     "greeting_name": "Zoë"},
        "last_order": {"number": 7, "placed_at": "2026-01-31T23:59:59-05:00", "total": "¥1,500",
                       "total_amount": "1500", "currency": "JPY", "lines": []},
        "recommendations": recommendations[3:] + [{"name": "{{#each x}}{{/each}}", "price": "1 ZZZ",
                                                   "price_amount": "1", "currency": "ZZZ", "url": None,
                                                   "image_url": None}],
        "shop": {"name": "Shop & Co <b>", "url": "https://shop.example.com/?a=1&b=2"},
    }
    return {"regular": regular, "newcomer": newcomer, "odd": odd}


def render_all() -> dict[str, dict]:
    """What today's engine makes of every template and feature for every recipient: ``{file name: content}``."""
    from saleor_crm_plugin.campaigns.templates import Renderer, compile_template
    from saleor_crm_plugin.errors import CRMError

    def outcome(sources):
        try:
            renderer = Renderer(compile_template(**sources))
        except CRMError as error:
            return {name: {"refused": error.code_value, "message": error.message} for name in contexts()}
        except Exception as error:  # noqa: BLE001 - an engine's crash is an outcome to record too
            return {name: {"crashed": type(error).__name__} for name in contexts()}
        renders = {}
        for name, context in contexts().items():
            try:
                mail = renderer.render(context)
            except CRMError as error:
                renders[name] = {"refused": error.code_value, "message": error.message}
                continue
            except Exception as error:  # noqa: BLE001
                renders[name] = {"crashed": type(error).__name__}
                continue
            renders[name] = {"subject": mail.subject, "html": mail.html, "text": mail.text}
        return renders

    files = {}
    for name, sources in templates().items():
        files[f"template-{name}.json"] = {"sources": sources, "renders": outcome(sources)}
    features = {}
    for name, source in FEATURES.items():
        text = outcome({"subject": "x", "body": "<p>x</p>", "body_format": "html", "text": source})
        html = outcome({"subject": "x", "body": f"<p>{source}</p>", "body_format": "html", "text": "-"})
        features[name] = {"source": source,
                          "text": {n: r.get("text", r) for n, r in text.items()},
                          "html": {n: _body(r["html"]) if "html" in r else r for n, r in html.items()}}
    files["features.json"] = features
    return files


def _body(html: str) -> str:
    """The content of the one paragraph of a feature's HTML."""
    match = re.search(r"<p>(.*)</p>", html, re.S)
    return match.group(1) if match else html


def main() -> None:
    """Rewrite the golden files with today's engine."""
    import django

    django.setup()
    GOLDEN.mkdir(exist_ok=True)
    for name, content in render_all().items():
        (GOLDEN / name).write_text(json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        print("wrote", GOLDEN / name)


if __name__ == "__main__":
    main()

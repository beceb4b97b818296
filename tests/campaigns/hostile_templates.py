"""Templates written to run code, read the interpreter, or stall a worker; ``{sentinel}`` is a path that any code
execution would create. Each entry: (field, source); field ``mjml`` is the body in an MJML document.

The first four payloads are the ones that ran code through pybars3 (a bracket segment pasted unescaped into
the Python it generated): ``id`` returned ``uid=0(root)`` in a preview, the subject returned ``sys.version``.
"""

FIELDS = ("subject", "preheader", "body", "text", "mjml")

RAN_CODE = (
    "{{[x') or __import__('os').popen('id').read() or (']}}",
    "{{[x') or __import__('sys').version or (']}}",
    "{{[x') or open('{sentinel}', 'w').write('pwned') or (']}}",
    "{{[x') or __import__('os').system('touch {sentinel}') or (']}}",
)

VARIANTS = (
    # quotes, brackets and backslashes around a Python expression
    ("body", "<p>{{[x\") or __import__(\"os\").system(\"touch {sentinel}\") or (\"]}}</p>"),
    ("text", "{{[x\\') or __import__(\\'os\\').system(\\'touch {sentinel}\\') or (\\']}}"),
    ("subject", "{{x') or __import__('os').system('touch {sentinel}') or ('}}"),
    ("text", "{{['] or __import__('os').system('touch {sentinel}') or [']}}"),
    ("body", "<p>{{[\\\\]}}{{[\\]}}{{[']}}{{[\"]}}</p>"),
    ("text", "\\{{[x') or __import__('os').system('touch {sentinel}') or (']}}"),
    ("text", "\\\\{{[x') or __import__('os').system('touch {sentinel}') or (']}}"),
    ("subject", "{{{[x') or __import__('os').system('touch {sentinel}') or (']}}}"),
    ("subject", "{{&[x') or __import__('os').system('touch {sentinel}') or (']}}"),
    ("text", "{{~[x') or __import__('os').system('touch {sentinel}') or (']~}}"),
    ("text", "{{#[x') or __import__('os').system('touch {sentinel}')]}}y{{/[x') or __import__('os').system('touch {sentinel}')]}}"),
    ("text", "{{default [x') or __import__('os').system('touch {sentinel}') or ('] \"z\"}}"),
    ("text", "{{lookup this \"x') or __import__('os').system('touch {sentinel}') or ('\"}}"),
    # f-strings and format strings
    ("text", "{{[f'{__import__(\"os\").system(\"touch {sentinel}\")}']}}"),
    ("subject", "{{['{0.__class__.__mro__}'.format(1)]}}"),
    ("text", "{0.__class__} %(x)s {{customer.first_name}} {__import__}"),
    ("text", "{{default \"{0.__globals__}\" customer}}"),
    # dunders: attributes, lookup, with, each
    ("text", "{{__import__}}{{__builtins__}}{{__class__}}{{__globals__}}"),
    ("text", "{{__class__.__mro__}}{{this.__class__.__mro__.[1].__subclasses__}}"),
    ("text", "{{lookup this \"__globals__\"}}{{lookup this \"__class__\"}}{{lookup customer \"__dict__\"}}"),
    ("text", "{{lookup (lookup this \"__class__\") \"__mro__\"}}"),
    ("subject", "{{this.[__class__]}}{{[__class__].[__init__].[__globals__]}}"),
    ("text", "{{customer.first_name.__class__}}{{customer.first_name.[__class__].[__name__]}}"),
    ("text", "{{#with __class__}}{{__name__}}{{/with}}{{#with this.__class__ as |c|}}{{c.__name__}}{{/with}}"),
    ("text", "{{#with customer.first_name}}{{__class__}}{{upper}}{{this.upper}}{{/with}}"),
    ("text", "{{#each __class__.__mro__}}{{this}}{{/each}}{{#each this}}{{@key}};{{/each}}"),
    ("text", "{{@root.__class__}}{{@index.__class__}}{{../../../__class__}}{{lookup @root \"__dict__\"}}"),
    ("text", "{{#if (lookup this \"__class__\")}}x{{/if}}{{#unless __class__}}y{{/unless}}"),
    # JavaScript-style prototype access
    ("subject", "{{constructor.constructor}}{{__proto__}}{{constructor}}"),
    ("text", "{{constructor.constructor \"return process\"}}"),
    ("text", "{{#with \"s\"}}{{#with split as |x|}}{{x}}{{/with}}{{/with}}"),
    # helpers fed with odd values
    ("text", "{{default __builtins__ \"x\"}}{{money __class__ __name__}}{{date this \"%s\"}}"),
    ("text", "{{date last_order.placed_at \"'__import__'\"}}{{date \"0001-01-01T00:00:00+05:00\"}}{{money \"1e999999\" \"USD\"}}"),
    ("text", "{{log (lookup this \"__class__\")}}{{log \"x\" customer}}"),
    # raw blocks and comments hold text, not code
    ("text", "{{{{raw}}}}{{[x') or __import__('os').system('touch {sentinel}') or (']}}{{{{/raw}}}}"),
    ("body", "<p>{{{{raw}}}}{{> evil}}{{{{/raw}}}}</p>"),
    ("text", "{{!-- {{[x') or __import__('os').system('touch {sentinel}') or (']}} --}}{{! __import__('os') }}"),
    # jinja and other engines' syntax
    ("text", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    ("subject", "{% import os %}{{ os.system('touch {sentinel}') }}"),
    ("text", "${{7*7}} #{7*7} <%= 7*7 %>"),
    # partials and decorators (an inline partial calling itself twice would recurse exponentially)
    ("text", "{{#*inline \"r\"}}{{> r}}{{> r}}{{/inline}}{{> r}}"),
    ("text", "{{> (lookup . \"__class__\")}}"),
    ("body", "<p>{{#> layout}}x{{/layout}}</p>"),
    ("text", "{{> @partial-block}}"),
    ("text", "{{* decorator}}"),
    ("text", "{{#* decorator}}x{{/decorator}}"),
    # size and depth
    ("text", "{{#each recommendations}}" * 8 + "x" + "{{/each}}" * 8),
    ("text", "{{#each recommendations}}{{#each ../recommendations}}{{#each ../../recommendations}}"
             "{{name}}{{/each}}{{/each}}{{/each}}"),
    ("text", "{{#if x}}" * 200 + "x" + "{{/if}}" * 200),
    ("text", "{{default " + "(default " * 50 + "x" + ")" * 50 + "}}"),
    ("text", "{{#each recommendations}}" + "{{name}}" * 20_000 + "{{/each}}"),
    ("text", "{{" * 5000),
    ("text", "{{#each}}{{/each}}{{#if}}{{/if}}{{#with}}{{/with}}{{if x}}{{each x}}{{default (if x)}}"),
    ("text", "{{else}}"),
)


def cases(sentinel: str) -> list[tuple[str, str]]:
    """Every (field, source), the payloads that ran code in every field first, ``{sentinel}`` filled in."""
    found = [(field, source) for source in RAN_CODE for field in FIELDS] + list(VARIANTS)
    return [(field, source.replace("{sentinel}", sentinel)) for field, source in found]


def sources(field: str, source: str) -> dict:
    """``compile_template`` keyword arguments with ``source`` in ``field`` and harmless others."""
    base = {"subject": "Hello", "preheader": "", "body": "<p>Hi</p>", "body_format": "html", "text": ""}
    if field == "mjml":
        return {**base, "body_format": "mjml",
                "body": f"<mjml><mj-body><mj-section><mj-column><mj-text>{source}</mj-text></mj-column>"
                        "</mj-section></mj-body></mjml>"}
    return {**base, field: source}

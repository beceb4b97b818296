"""Render speed of one realistic newsletter: the benchmark campaign's MJML (greeting, last order, four
recommended products with image, price and link, unsubscribe link), rendered for one recipient many times.

    python bench/template_render.py [--renders 5000]

Prints the time of one ``Renderer.render`` (subject, HTML, derived text part: what sending costs per
mail), and of the same three parts rendered by dotpromptz-handlebars' own interpreter (why
``campaigns.handlebars_render`` walks the library's tree itself), the median of five rounds. No database:
the recipient's variables are fixed (``tests.campaigns.golden_cases``).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_host.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()
    from dotpromptz_handlebars import Handlebars

    from saleor_crm_plugin.campaigns.handlebars import HELPERS
    from saleor_crm_plugin.campaigns.templates import Renderer, compile_template
    from tests.campaigns.golden_cases import contexts, templates

    sources = templates()["bench-campaign"]
    context = contexts()["regular"]
    renderer = Renderer(compile_template(**sources))
    escaping, plain = Handlebars(escape_html=True), Handlebars(escape_html=False)
    for name, helper in HELPERS.items():
        escaping.register_helper(name, helper)
        plain.register_helper(name, helper)
    compiled = renderer.compiled
    parts = (plain.compile(compiled.subject), escaping.compile(compiled.html), plain.compile(compiled.text))
    for label, render in (("mail (subject, HTML, text), campaigns.handlebars_render", lambda: renderer.render(context)),
                          ("the same parts, dotpromptz-handlebars' interpreter", lambda: [p(context) for p in parts])):
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(args.renders):
                render()
            rounds.append((time.perf_counter() - started) / args.renders)
        print(f"{label}: {statistics.median(rounds) * 1e6:,.0f} µs per render "
              f"({args.renders:,} renders x 5 rounds)")


if __name__ == "__main__":
    main()

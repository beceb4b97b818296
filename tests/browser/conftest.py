"""The Dashboard extension in a real browser: Debian's Chromium driven by Playwright, the standalone host as
a live server, and a stand-in Dashboard (``harness/``) that frames a page and speaks app-sdk's bridge to it.

The stand-in is served from its own origin (127.0.0.1), the host from another (localhost), as the Dashboard
and the API are in a shop; the CRM's ``dashboard_origins`` names the stand-in, so its pages may be framed.
Screenshots go to ``test-artifacts/browser/``; axe-core comes from ``tests/browser/node_modules``
(``npm ci --prefix tests/browser``).
"""

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from crm_host.devjwks import DEFAULT_APP, Issuer
from tests.conftest import SIMPLE_MJML
from tests.recommendations.conftest import _serve_fresh, record_shop  # noqa: F401 - shared fixtures

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path(os.environ.get("CRM_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
PLUGIN = "/plugins/global/saleor_crm_plugin.crm/"
ISSUER = Issuer()
ISSUER_URL = "http://localhost:8000/graphql/"  # what the stand-in issuer puts in ``iss``
THEMES = ("light", "dark")
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium under Playwright; skips when either is missing (a browser is never downloaded).

    Per module: Playwright's sync API keeps an event loop in this thread while it runs, which Django's ORM
    takes for async code, so it is let through only that long (the ORM is called from this thread alone)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; bin/setup does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed "
                                   "(pip install -r tests/browser/requirements.txt)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@pytest.fixture(scope="session")
def harness_origin():
    """The stand-in Dashboard's files over HTTP on 127.0.0.1 (a free port); yields its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietFiles, directory=str(HERE / "harness")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def jwks_url():
    url, server = ISSUER.serve()
    yield url
    server.shutdown()


@pytest.fixture(autouse=True)
def crm_settings(settings, live_server, harness_origin, jwks_url):
    """The host verifies the stand-in issuer's tokens and lets the stand-in Dashboard frame its pages."""
    settings.SALEOR_CRM_SALEOR_URL = f"{jwks_url}/graphql/"
    settings.SALEOR_CRM_JWT_AUDIENCE = None
    settings.SALEOR_CRM_JWT_ISSUER = ISSUER_URL
    settings.SALEOR_CRM = {**(getattr(settings, "SALEOR_CRM", {}) or {}), "public_url": live_server.url,
                           "dashboard_origins": harness_origin}
    return settings


@pytest.fixture
def registered_app(crm_settings, transactional_db):
    """The CRM's Dashboard app registered for the stand-in Saleor, as the app the extension tokens are for: the
    CRM accepts an extension's token only for the app it registered."""
    from saleor_crm_plugin.models.app import save_registration

    return save_registration(crm_settings.SALEOR_CRM_SALEOR_URL, DEFAULT_APP, ISSUER.issue_app_token())


@pytest.fixture
def built_pages(monkeypatch):
    """The built extension (``npm run build`` in dashboard_extension/); skips when it is not there.

    ``CRM_TEST_DASHBOARD_BUILD`` points the host at another build folder (a build made elsewhere)."""
    from saleor_crm_plugin.dashboard import pages
    from saleor_crm_plugin.dashboard.manifest import PAGES

    if os.environ.get("CRM_TEST_DASHBOARD_BUILD"):
        monkeypatch.setattr(pages, "BUILD", Path(os.environ["CRM_TEST_DASHBOARD_BUILD"]))
    BUILD = pages.BUILD
    missing = sorted(page for page in PAGES if not (BUILD / f"{page}.html").is_file())
    if missing:
        pytest.skip(f"the Dashboard extension is not built ({', '.join(missing)} missing in {BUILD}): "
                    "run `npm ci && npm run build` in dashboard_extension/")
    return BUILD


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE} missing): run `npm ci --prefix tests/browser`")
    return AXE.read_text()


ORDER_UUID = "6f1c3a52-8d0e-4b7a-9c55-0a8f1e2d3b4c"


@pytest.fixture
def shop(record_shop, events, ingest):  # noqa: F811 - the shared fixture
    """The record shop (16 customers, 8 products, two channels) with everything the pages show: scores, a
    trained recommender, consent, a note, a segment, a template, a draft campaign, an open service request and
    survey answers; one order has a Saleor-shaped id (a UUID) for the order widget."""
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.models import (Campaign, ConsentSource, ConsentState, CustomerNote, CustomerProfile,
                                          EmailTemplate)
    from saleor_crm_plugin.profiles.scores import recompute_scores
    from saleor_crm_plugin.recommendations.training import train_models
    from saleor_crm_plugin.models.support import SurveyResponse
    from saleor_crm_plugin.segments.membership import save_segment
    from saleor_crm_plugin.support.requests import open_request
    from tests.conftest import T0, days

    ingest(events.order(order_id=ORDER_UUID, email="jazz0@example.com", user_id=100, at=T0 + days(40),
                        channel="web", lines=[events.line(product_id=1, name="Kind of Blue", category="Vinyl")]))
    recompute_scores()
    train_models()
    jazz_fan = CustomerProfile.objects.get(user_id=100)
    for profile in CustomerProfile.objects.filter(email__startswith="jazz"):
        set_consent(ConsentState.SUBSCRIBED, "web", ConsentSource.IMPORT, profile_id=profile.pk)
    CustomerNote.objects.create(profile=jazz_fan, text="Asked for the Blue Note reissues.",
                                author_email="staff@example.com")
    segment = save_segment(name="Vinyl buyers", rules={"field": "category_bought", "op": "includes", "value": ["Vinyl"]})
    template = EmailTemplate.objects.create(name="New arrivals", subject="New for {{customer.first_name}}",
                                            body=SIMPLE_MJML)
    campaign = Campaign.objects.create(name="Spring jazz", template=template, channel="web",
                                       segment_ids=[segment.pk])
    # Service and satisfaction: an open question, and survey answers in two months (the order is of Vinyl).
    request = open_request(jazz_fan.pk, kind="question", subject="Where is my parcel?",
                           body="The tracking link has not moved for a week.", order_id=ORDER_UUID)
    now = timezone.now()
    for key, kind, score, comment, at in (
            ("csat-1", "csat", 5, "Quick delivery.", now - timedelta(days=35)),
            ("nps-1", "nps", 9, "", now - timedelta(days=2)),
            ("csat-2", "csat", 3, "", now - timedelta(days=1))):
        SurveyResponse.objects.create(profile=jazz_fan, kind=kind, score=score, comment=comment, key=key,
                                      order_id=ORDER_UUID, channel="web", answered_at=at)
    return {"customer": jazz_fan, "segment": segment, "template": template, "campaign": campaign,
            "service_request": request}


@dataclass
class Framed:
    """One extension page inside the stand-in Dashboard: the Playwright page, the extension's frame and what
    went wrong on the way (console errors, uncaught exceptions, failed requests)."""

    page: object
    frame: object
    errors: list = field(default_factory=list)

    @property
    def bridge(self) -> dict:
        """The stand-in's record: config, actions the extension dispatched, events posted to it."""
        return self.page.evaluate("() => JSON.parse(JSON.stringify(window.dashboard.state))")

    def actions(self, kind: str) -> list[dict]:
        return [a for a in self.bridge["actions"] if a["type"] == kind]

    def set_theme(self, theme: str) -> None:
        self.page.evaluate("theme => window.dashboard.setTheme(theme)", theme)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        # The whole extension, not the part its frame shows: the frame grows to the content for the picture.
        height = self.frame.evaluate("() => document.documentElement.scrollHeight")
        self.page.evaluate("height => { const frame = document.querySelector('#mount iframe');"
                           " frame.style.height = Math.max(frame.clientHeight, height) + 'px'; }", height)
        self.frame.wait_for_function("height => window.innerHeight >= height", arg=height)
        # The frame is another process, and Chromium paints such a frame only where it meets the viewport: the
        # viewport grows to the whole page for the picture (else the part below the fold comes out blank).
        viewport = self.page.viewport_size
        whole = self.page.evaluate("() => document.documentElement.scrollHeight")
        self.page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], whole)})
        self.frame.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(viewport)
        return path

    def axe(self, source: str) -> list[dict]:
        """axe-core's violations in the extension's frame (all rules; each with impact, id, help, nodes)."""
        # evaluate() runs as the debugger does, so the page's CSP (script-src 'self') does not stop it.
        self.frame.evaluate(f"() => {{ {source}\n; window.axe = window.axe || axe; }}")
        return self.frame.evaluate("""async () => {
            const result = await window.axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary)}));
        }""")


@pytest.fixture
def dashboard(chromium, live_server, harness_origin, crm_settings, registered_app):
    """``open(page, token=..., theme=..., locale=..., target=..., context={...})`` frames a CRM page in the
    stand-in Dashboard (the CRM's app registered) and returns a ``Framed`` once the page has loaded; the token
    is the registered app's extension token for a staff member with MANAGE_USERS unless given."""
    contexts = []

    def open_page(name: str, *, token: str | None = None, theme: str = "light", locale: str = "en",
                  target: str | None = None, context: dict | None = None, hash: str = "",
                  width: int = 1280, timezone: str = "UTC") -> Framed:
        browser_context = chromium.new_context(viewport={"width": width, "height": 900}, locale=locale,
                                               timezone_id=timezone)
        contexts.append(browser_context)
        page = browser_context.new_page()
        framed = Framed(page=page, frame=None)
        page.on("console", lambda message: message.type == "error" and framed.errors.append(
            f"console: {message.text} ({message.location.get('url', '')})"))
        page.on("pageerror", lambda error: framed.errors.append(f"uncaught: {error}"))
        # An aborted request is the page cancelling a query it no longer needs, not a failure.
        page.on("requestfailed", lambda request: request.failure != "net::ERR_ABORTED" and framed.errors.append(
            f"request failed: {request.url} {request.failure}"))
        extension = f"{live_server.url}{PLUGIN}dashboard/{name}"
        query = {
            "extension": extension, "token": ISSUER.extension_token() if token is None else token,
            "theme": theme, "locale": locale, "target": target or ("APP_PAGE" if name == "app" else "WIDGET"),
            "saleorApiUrl": f"{live_server.url}/graphql/", "context": json.dumps(context or {}),
            "hash": hash,
        }
        page.goto(f"{harness_origin}/dashboard.html?{urlencode(query)}")
        page.wait_for_function("() => window.dashboard && window.dashboard.state.loaded === true")
        framed.frame = page.query_selector("#mount iframe").content_frame()
        return framed

    yield open_page
    for browser_context in contexts:
        browser_context.close()


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SERIOUS]


def describe_violations(found: dict[str, list[dict]]) -> str:
    """axe-core's violations per theme as readable lines ("" when there are none)."""
    return "\n".join(f"{theme}: {v['impact']} {v['id']} ({v['help']})\n    " + "\n    ".join(v["nodes"])
                     for theme, violations in found.items() for v in violations)

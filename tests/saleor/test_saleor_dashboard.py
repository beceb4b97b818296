"""The CRM inside the real Saleor Dashboard: a build of ``saleor/saleor-dashboard`` 3.23 (made locally from its
source, never committed; ``CRM_DASHBOARD_BUILD`` names its ``build/dashboard`` folder) pointed at this Saleor
running as a live server, driven in Debian's Chromium. Staff sign in through the Dashboard's own login form,
open the home page, the CRM page under Customers, a customer's, a product's and an order's page, and each CRM
view shows the figures of the orders placed through Saleor's checkout. The CRM page's Settings tab saves the mail
settings into Saleor's plugin configuration and shows a bad SMTP URL's coded error by its field; the overview
shows revenue and RFM groups right after switch-on; a campaign's page goes from scheduled to sent as Saleor's
worker sends it, without a reload; the channel pickers show Saleor's channels by name, starting on the shop's
default channel. Screenshots go to ``test-artifacts/saleor-dashboard/``.
Skipped, naming the missing piece, without the CRM's built pages, the Dashboard's build, Chromium, Playwright or
aiosmtpd."""

import http.client
import io
import json
import os
import re
import threading
import time
from datetime import timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import graphene
import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from crm_saleor_api import (CHANNEL_SLUG, PLUGIN_UPDATE_MUTATION, complete_checkout, create_checkout, log_in,
                            mutate, order_total, registered_customer_order, signed_in_customer, us_address)
from saleor_crm_plugin.dashboard.manifest import PAGES
from saleor_crm_plugin.dashboard.pages import BUILD as CRM_PAGES

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "saleor-dashboard"
BUILD = Path(os.environ.get("CRM_DASHBOARD_BUILD", "/nonexistent"))
CHROMIUM = Path(os.environ.get("CRM_TEST_CHROMIUM", "/usr/bin/chromium"))
PLUGIN_PAGES = "/plugins/global/saleor_crm_plugin.crm/dashboard/"
TIMEOUT = 60_000

# Each missing piece is named before anything starts: without it a CRM frame would only time out (60 s) later.
_unbuilt = sorted(page for page in PAGES if not (CRM_PAGES / f"{page}.html").is_file())
if _unbuilt:
    pytest.skip(f"the CRM's Dashboard pages are not built ({', '.join(_unbuilt)} missing in {CRM_PAGES}): run "
                "`npm ci && npm run build` in dashboard_extension/ (bin/setup does), or install a built wheel",
                allow_module_level=True)
if not (BUILD / "index.html").is_file():
    pytest.skip("no Saleor Dashboard build: set CRM_DASHBOARD_BUILD to saleor-dashboard's build/dashboard "
                "(docs/testing-against-saleor.md, 'Inside the real Dashboard')", allow_module_level=True)
if not CHROMIUM.is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed in Saleor's virtualenv "
                               "(uv pip install playwright)")
from test_saleor_campaigns import smtp_server  # noqa: E402,F401 - the loopback SMTP server (needs aiosmtpd)
from test_saleor_campaigns import BODY, CAMPAIGN, SEGMENT, SUBSCRIBE, TEMPLATE, created, crm  # noqa: E402

SCHEDULE_AT = """mutation($id: ID!, $at: DateTime) { crmCampaignSchedule(id: $id, at: $at) {
  campaign { state scheduledAt } errors { field code message } } }"""


class DashboardFiles(SimpleHTTPRequestHandler):
    """The Dashboard's built files, and Saleor's API on the same origin (``/graphql/`` is passed to the live
    server, as a shop's proxy does: Saleor answers CORS only in its ASGI app, the live server is WSGI). Any
    other path that is not a file is the single-page app's index.html, with the API URL the build was made
    with replaced by this origin's (the Dashboard reads it at run time)."""

    saleor = ""  # the live server's URL

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_file() and path.name != "index.html":
            return super().send_head()
        api = f"http://{self.headers['Host']}/graphql/"
        html = re.sub(r'API_URL: "[^"]*"', f'API_URL: "{api}"', (BUILD / "index.html").read_text(), count=1)
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def do_GET(self):
        if self.path.startswith("/graphql/"):
            return self._pass_on()
        return super().do_GET()

    def do_POST(self):
        self._pass_on()

    def _pass_on(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = urlsplit(self.saleor)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        connection.request(self.command, self.path, body=body, headers=headers)
        answer = connection.getresponse()
        content = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
        connection.close()


@pytest.fixture
def dashboard_origin(live_server):
    handler = type("Files", (DashboardFiles,), {"saleor": live_server.url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(BUILD)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def served_saleor(settings, live_server):
    """Saleor as a server: it names itself by the live server's URL, and its read-replica alias reads the test
    database in the server's threads too (the test mirror is set up in this thread only)."""
    settings.PUBLIC_URL = live_server.url
    replica, default = connections.settings["replica"], connections.settings["default"]
    name = replica["NAME"]
    replica["NAME"] = default["NAME"]
    yield live_server
    replica["NAME"] = name


@pytest.fixture
def chromium():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"  # Playwright's loop in this thread; the ORM is used from here only
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def order_of(api_client, token, products, first_name):
    checkout = create_checkout(api_client, *products, token=token)
    return complete_checkout(api_client, checkout["id"], us_address(first_name, "Lee"), token)


def install_crm_app(staff_client, live_server, dashboard_origin, **more):
    """The plugin knows where Saleor and the Dashboard are (``more``: other settings, e.g. ``active``), and is
    installed as the Dashboard's app."""
    settings = {"public_url": live_server.url, "dashboard_origins": dashboard_origin, **more}
    mutate(staff_client, PLUGIN_UPDATE_MUTATION, {"id": "saleor_crm_plugin.crm", "input": {
        "active": True, "configuration": [{"name": name, "value": value} for name, value in settings.items()]}},
        "pluginUpdate")
    call_command("crm_install_app")


def signed_in(chromium, dashboard_origin, staff_user):
    """A Dashboard tab where a shop owner (every permission) has signed in through the login form; the page
    errors it collects."""
    from saleor.permission.models import Permission

    staff_user.user_permissions.add(*Permission.objects.all())
    page = chromium.new_page(viewport={"width": 1440, "height": 1000})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(dashboard_origin + "/")
    try:
        page.locator("[data-test-id=email] input, input[data-test-id=email]").first.fill(staff_user.email)
        page.locator("[data-test-id=password] input, input[data-test-id=password]").first.fill("password")
        page.locator("[data-test-id=submit]").click()
    except Exception:
        screenshot(page, "sign-in-failed")
        raise
    try:  # the Dashboard's own announcement, when it shows one
        page.get_by_text("Saleor Pulse").first.wait_for(timeout=5_000)
        page.locator("button:near(:text('Saleor Pulse'))").first.click()
    except sync_api.TimeoutError:
        pass
    return page, errors


def open_crm_page(page, text: str):
    """The CRM page, reached as a merchant does (Customers → CRM in the sidebar), once it shows ``text``."""
    page.get_by_text("Customers", exact=True).first.click()
    page.get_by_text("CRM", exact=True).first.click()
    return crm_frame(page, "app", text)


def crm_frame(page, name: str, text: str):
    """The CRM's frame ``name`` in the Dashboard page (a frame locator: the Dashboard re-mounts a widget when it
    refreshes its token), once it shows ``text`` and has nothing loading."""
    # The visible one that shows ``text``: the Dashboard keeps a frame hidden until its handshake is done, and
    # while it re-mounts a widget two frames of it can stand side by side for a moment; so each try looks at
    # every matching frame, briefly, until one shows the text.
    frames = page.frame_locator(f"iframe[src*='{PLUGIN_PAGES}{name}']:visible")
    count = page.locator(f"iframe[src*='{PLUGIN_PAGES}{name}']:visible")
    deadline = time.monotonic() + TIMEOUT / 1000
    try:
        while True:
            for index in range(max(1, count.count())):
                frame = frames.nth(index)
                try:
                    frame.get_by_text(text, exact=False).first.wait_for(timeout=2000)
                except Exception:
                    continue
                frame.locator("[aria-busy=true]").first.wait_for(state="detached", timeout=TIMEOUT)
                return frame
            if time.monotonic() > deadline:
                raise AssertionError(f"no {name} frame showed {text!r} within {TIMEOUT / 1000:g} s")
    except Exception:
        screenshot(page, f"{name}-failed")
        raise


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # charts settle
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_crm_inside_the_real_dashboard(
    api_client, staff_client, staff_user, product_list, shipping_zone, crm_plugin, served_saleor, dashboard_origin,
    chromium,
):
    from saleor.account.models import User
    from saleor_crm_plugin.profiles.scores import recompute_scores
    from saleor_crm_plugin.recommendations.training import train_models

    # given: the plugin installed as the Dashboard's app
    install_crm_app(staff_client, served_saleor, dashboard_origin)
    # and orders through Saleor's checkout: Ann twice (tea with cake, then tea), Bob once (tea with cake)
    tea, cake, jam = product_list
    ann = signed_in_customer(api_client, staff_client, "ann.dash@example.com", "Ann", "Lee")
    bob = signed_in_customer(api_client, staff_client, "bob.dash@example.com", "Bob", "Lee")
    order_of(api_client, ann, [tea, cake], "Ann")
    last = order_of(api_client, ann, [tea], "Ann")
    order_of(api_client, bob, [tea, cake], "Bob")
    recompute_scores()
    train_models()
    ann_id = graphene.Node.to_global_id("User", User.objects.get(email="ann.dash@example.com").pk)
    tea_id = graphene.Node.to_global_id("Product", tea.pk)

    # when: staff sign in through the Dashboard's login form
    page, errors = signed_in(chromium, dashboard_origin, staff_user)
    # then: the home page shows the CRM's home widget
    home = crm_frame(page, "home-widget", "Repeat purchase rate").locator("body").inner_text()
    screenshot(page, "home")
    # and the CRM page, under Customers in the sidebar
    crm = open_crm_page(page, "Repeat purchase rate").locator("body").inner_text()
    screenshot(page, "crm-overview")
    # and the customer's page: Ann's record
    page.goto(f"{dashboard_origin}/customers/{ann_id}")
    customer = crm_frame(page, "customer-widget", "12-month CLV").locator("body").inner_text()
    screenshot(page, "customer")
    # and the product's page: tea's buyers, bought with cake
    page.goto(f"{dashboard_origin}/products/{tea_id}")
    frame = crm_frame(page, "product-widget", "Repeat rate")
    frame.get_by_test_id("also-bought").get_by_text(cake.name).wait_for(timeout=TIMEOUT)
    product = frame.locator("body").inner_text()
    screenshot(page, "product")
    # and the order's page: who ordered it
    page.goto(f"{dashboard_origin}/orders/{last['id']}")
    order = crm_frame(page, "order-widget", "12-month CLV").locator("body").inner_text()
    screenshot(page, "order")

    # the figures: two customers, both bought tea (3 orders), Ann twice; cake was bought with it
    assert re.search(r"Repeat purchase rate\s*50", home) and re.search(r"Repeat purchase rate\s*50", crm), (home, crm)
    assert re.search(r"Orders\s*2", customer) and "Ann Lee" in customer, customer
    assert re.search(r"Buyers\s*2", product) and re.search(r"Repeat rate\s*50", product), product
    assert re.search(r"Orders\s*3", product), product
    assert re.search(r"Orders\s*2", order) and "Ann Lee" in order, order
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_the_settings_page_saves_the_mail_settings_and_shows_a_bad_smtp_url_by_its_field(
    staff_client, staff_user, crm_plugin, served_saleor, dashboard_origin, chromium, smtp_server,  # noqa: F811
):
    from saleor.plugins.models import PluginConfiguration

    inbox, port = smtp_server
    install_crm_app(staff_client, served_saleor, dashboard_origin)
    page, errors = signed_in(chromium, dashboard_origin, staff_user)
    crm = open_crm_page(page, "Repeat purchase rate")
    # when: the Settings tab of the CRM page, SMTP with a URL that is no SMTP URL
    crm.get_by_test_id("nav-settings").click()
    crm.get_by_test_id("settings-form").wait_for(timeout=TIMEOUT)
    field(crm, "Email provider").fill("smtp")
    field(crm, "Sender address").fill("news@shop.example.com")
    field(crm, "Shop name").fill("Record Shop")
    crm.get_by_test_id("input-smtpUrl").fill("http://mail.example.com")
    crm.get_by_test_id("save-settings").click()
    # then: the error by the SMTP field, with its code; nothing saved in Saleor's plugin configuration
    error = crm.get_by_test_id("smtpUrl-errors")
    error.wait_for(timeout=TIMEOUT)
    assert "SMTP server is not valid" in error.inner_text()
    assert error.locator("[data-code]").first.get_attribute("data-code") == "INVALID_SMTP_URL"
    assert plugin_values(PluginConfiguration).get("smtp_url", "") == ""
    in_view(crm.get_by_test_id("section-provider"))
    screenshot(page, "crm-settings-bad-smtp-url")

    # when: the loopback server's URL
    crm.get_by_test_id("input-smtpUrl").fill(f"smtp://127.0.0.1:{port}")
    crm.get_by_test_id("save-settings").click()
    # then: the Dashboard says so, the URL is only said to be set, and Saleor's plugin configuration holds it
    page.get_by_text("Settings saved").first.wait_for(timeout=TIMEOUT)
    crm.get_by_test_id("secret-state-smtpUrl").wait_for(timeout=TIMEOUT)
    values = plugin_values(PluginConfiguration)
    assert (values["email_provider"], values["smtp_url"], values["from_email"]) == (
        "smtp", f"smtp://127.0.0.1:{port}", "news@shop.example.com")
    assert f"127.0.0.1:{port}" not in crm.locator("body").inner_html()
    # and a test mail goes through the saved settings
    crm.get_by_test_id("input-test-mail-to").fill("owner@shop.example.com")
    crm.get_by_test_id("send-test-mail").click()
    crm.get_by_test_id("test-mail-sent").wait_for(timeout=TIMEOUT)
    assert [message["To"] for message in inbox.messages] == ["owner@shop.example.com"]
    in_view(crm.get_by_test_id("nav-settings"))
    screenshot(page, "crm-settings")
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_the_overview_shows_revenue_and_rfm_groups_right_after_switch_on(
    api_client, staff_client, staff_user, product_list, shipping_zone, served_saleor, dashboard_origin, chromium,
):
    # given: a shop with orders before the CRM is switched on: Ann twice, Bob once
    tea, cake, jam = product_list
    ann = signed_in_customer(api_client, staff_client, "ann.day1@example.com", "Ann", "Lee")
    bob = signed_in_customer(api_client, staff_client, "bob.day1@example.com", "Bob", "Lee")
    orders = [order_of(api_client, ann, [tea, cake], "Ann"), order_of(api_client, ann, [tea], "Ann"),
              order_of(api_client, bob, [tea, cake], "Bob")]
    revenue = sum(order_total(order)[0] for order in orders)
    # when: switched on (the backfill runs at once: Celery is eager here) and nothing else — no nightly job
    install_crm_app(staff_client, served_saleor, dashboard_origin)
    page, errors = signed_in(chromium, dashboard_origin, staff_user)
    crm = open_crm_page(page, "Revenue per currency")
    crm.get_by_text("RFM distribution").first.wait_for(timeout=TIMEOUT)
    overview = crm.locator("body").inner_text()
    screenshot(page, "crm-overview-day-one")
    # then: the revenue of the three orders, in USD, and the customers in their RFM groups
    # (currency, customers, orders, revenue), the recompute that followed the backfill, no empty RFM chart
    assert re.search(rf"USD\s+2\s+3\s+\${revenue:,.2f}", overview), (revenue, overview)
    assert "Up to date" in overview and "2 customers scored" in overview, overview
    assert "No revenue yet" not in overview and "No RFM scores yet" not in overview, overview
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_a_campaign_page_goes_from_scheduled_to_sent_without_a_reload(
    api_client, staff_client, staff_user, shop, crm_plugin, served_saleor, dashboard_origin, chromium,
    smtp_server,  # noqa: F811
):
    from saleor_crm_plugin.models import Campaign, CampaignState
    from saleor_crm_plugin.tasks import dispatch_campaigns

    inbox, port = smtp_server
    # given: the CRM installed with SMTP at the loopback server, and Ann, who ordered, subscribed
    install_crm_app(staff_client, served_saleor, dashboard_origin, email_provider="smtp",
                    smtp_url=f"smtp://127.0.0.1:{port}", from_email="news@shop.example.com", double_opt_in="0",
                    shop_name="Record Shop")
    ann = "ann.live@example.com"
    registered_customer_order(api_client, staff_client, shop, ann, "Ann", "Lee")
    subscribed = crm(SUBSCRIBE, {"channel": CHANNEL_SLUG}, log_in(api_client, ann))["crmMarketingSubscribe"]
    assert (subscribed["state"], subscribed["errors"]) == ("SUBSCRIBED", []), subscribed
    # and a campaign to the subscribers, scheduled a few seconds ahead (the page must open before it is due)
    staff = staff_client.token
    template = created(crm(TEMPLATE, {"input": {"name": "Thanks", "subject": "Thank you, {{customer.greeting_name}}",
                                                "body": BODY}}, staff), "crmEmailTemplateCreate", "emailTemplate")
    segment = created(crm(SEGMENT, {"input": {"name": "Subscribers", "rules": json.dumps(
        {"field": "marketing_consent", "op": "eq", "value": "subscribed", "channel": CHANNEL_SLUG})}}, staff),
        "crmSegmentCreate", "segment")
    campaign = created(crm(CAMPAIGN, {"input": {"name": "Live thanks", "templateId": template,
                                                "channel": CHANNEL_SLUG, "segmentIds": [segment]}}, staff),
                       "crmCampaignCreate", "campaign")
    due = timezone.now() + timedelta(seconds=5)
    scheduled = crm(SCHEDULE_AT, {"id": campaign, "at": due.isoformat()}, staff)["crmCampaignSchedule"]
    assert (scheduled["errors"], scheduled["campaign"]["state"]) == ([], "SCHEDULED"), scheduled

    # when: staff open the campaign's page in the CRM page (Campaigns → Open)
    page, errors = signed_in(chromium, dashboard_origin, staff_user)
    crm_page = open_crm_page(page, "Repeat purchase rate")
    crm_page.get_by_test_id("nav-campaigns").click()
    crm_page.get_by_role("button", name="Open campaign Live thanks").click()
    state = crm_page.get_by_test_id("campaign-state")
    # then: it reads scheduled, says it follows sending, and no mail has left yet
    state.filter(has_text=re.compile(r"^Scheduled ·")).wait_for(timeout=TIMEOUT)
    crm_page.get_by_test_id("campaign-live").wait_for(timeout=TIMEOUT)
    assert inbox.messages == []
    # (marks in the Dashboard's window and the CRM frame's: a reload of either would drop them)
    page.evaluate("() => { window.crmNotReloaded = true; }")
    crm_page.locator("body").evaluate("body => { window.crmNotReloaded = true; }")

    # when: the campaign is due and the dispatcher's pass runs, as Saleor's beat runs it every minute (Celery is
    # eager here: the sending runs within the call)
    page.wait_for_timeout(max(0, (due - timezone.now()).total_seconds()) * 1000 + 500)
    dispatch_campaigns.delay()
    assert Campaign.objects.get().state == CampaignState.SENT

    # then: the same page reads sent, with its one mail, and stops following; neither window was reloaded
    state.filter(has_text=re.compile(r"^Sent ·")).wait_for(timeout=TIMEOUT)
    crm_page.get_by_test_id("campaign-live").wait_for(state="detached", timeout=TIMEOUT)
    sending = crm_page.get_by_text("Sent", exact=True).first.locator("..").inner_text()
    assert re.search(r"Sent\s*1\b", sending), sending
    assert page.evaluate("() => window.crmNotReloaded === true")
    assert crm_page.locator("body").evaluate("body => window.crmNotReloaded === true")
    assert [message["To"] for message in inbox.messages] == [ann]
    screenshot(page, "crm-campaign-sent")
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_the_channel_pickers_show_saleors_channels_by_name_starting_on_the_default_channel(
    staff_client, staff_user, channel_USD, channel_PLN, crm_plugin, served_saleor, dashboard_origin, chromium,
):
    from saleor_crm_plugin.shop import forget_channels

    # given: Saleor's USD channel "main" (Saleor's DEFAULT_CHANNEL_SLUG in its test settings; sorted after
    # "c-pln", so the first channel is not the default) and its PLN channel, and a template to mail
    assert (channel_USD.slug, channel_PLN.slug) == (CHANNEL_SLUG, "c-pln")
    forget_channels()
    install_crm_app(staff_client, served_saleor, dashboard_origin)
    crm(TEMPLATE, {"input": {"name": "Thanks", "subject": "Thank you", "body": BODY}}, staff_client.token)
    main = f"{channel_USD.name} ({channel_USD.slug}, USD)"
    pln = f"{channel_PLN.name} ({channel_PLN.slug}, PLN)"

    # when: staff open the new-campaign form in the CRM page
    page, errors = signed_in(chromium, dashboard_origin, staff_user)
    crm_page = open_crm_page(page, "Repeat purchase rate")
    crm_page.get_by_test_id("nav-campaigns").click()
    crm_page.get_by_role("button", name="Create campaign").click()
    form = crm_page.get_by_test_id("campaign-create-form")
    form.wait_for(timeout=TIMEOUT)
    picker = form.get_by_test_id("channel-picker")
    picker.get_by_role("combobox").wait_for(timeout=TIMEOUT)
    # then: the channel picker starts on the shop's default channel, by its name in Saleor (not only its slug)
    assert main in picker.inner_text(), picker.inner_text()
    screenshot(page, "crm-campaign-channel-picker")
    # and offers both of Saleor's channels by name
    picker.get_by_role("combobox").click()
    options = [option.inner_text() for option in crm_page.get_by_role("option").all()]
    assert options == [pln, main], options
    crm_page.get_by_role("option", name=pln).click()
    assert pln in picker.inner_text(), picker.inner_text()

    # when: the template editor
    crm_page.get_by_test_id("nav-templates").click()
    crm_page.get_by_test_id("template-editor").wait_for(timeout=TIMEOUT)
    preview = crm_page.get_by_test_id("channel-picker").first
    preview.get_by_role("combobox").wait_for(timeout=TIMEOUT)
    # then: its preview channel starts on the default channel too, by name
    assert main in preview.inner_text(), preview.inner_text()
    assert errors == []


def field(frame, label: str):
    """A text field by its label (its accessible name may carry more: match the start)."""
    return frame.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}"))


def plugin_values(PluginConfiguration) -> dict:
    """Saleor's stored configuration of the CRM plugin, by name."""
    row = PluginConfiguration.objects.get(identifier="saleor_crm_plugin.crm", channel=None)
    return {item["name"]: item["value"] for item in row.configuration}


def in_view(locator) -> None:
    """Scroll the Dashboard so that ``locator`` (in a CRM frame) is at the top of the window, for a screenshot."""
    locator.evaluate("element => element.scrollIntoView({block: 'start'})")

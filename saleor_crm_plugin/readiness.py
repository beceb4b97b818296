"""What ``crm_setup`` does and checks: the plugin switched on, the Dashboard app installed, a worker and beat.

Each step returns a ``Step``: done now, already done, running (a check that
passed), or missing, with what to do. Steps that change something (switching
the plugin on, installing the app) do nothing the second time and say so, so
``crm_setup`` is safe to run again.

Inside Saleor only: switching the plugin on goes through Saleor's plugins
manager (``save_plugin_configuration``, as the Dashboard's ``pluginUpdate``
does, so the configuration is validated and the first backfill is sent), and
the app is installed by Saleor's own ``install_app`` command. The worker and
beat checks work wherever Celery and django-celery-beat run.

Beat: django-celery-beat's ``DatabaseScheduler`` (Saleor's subclasses it and
keeps the rows in the same table) writes each entry's ``last_run_at`` when it
sends the task, at most ``SYNC_EVERY_SECONDS`` later. The sweeper runs every
``sweep_interval_seconds``, so a beat with the database scheduler has written
a CRM entry's run within that interval plus the write delay; an older run
means no such beat is running (stopped, or one with Celery's file scheduler,
which never writes the table).
"""

import importlib.util
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from .config import PLUGIN_ID, get_setting
from .schedule import ENTRY_PREFIX, FOLD_TASK, TASK_PREFIX

DONE, ALREADY, RUNNING, MISSING = "done", "already done", "running", "missing"
WORKER_COMMAND = "celery -A saleor.celeryconf:app worker -l info"
BEAT_COMMAND = "celery -A saleor.celeryconf:app beat --scheduler saleor.schedulers.schedulers.DatabaseScheduler -l info"
SYNC_EVERY_SECONDS = 180  # celery.beat.Scheduler.sync_every: how late the database scheduler writes a run
SLACK_SECONDS = 60


@dataclass(frozen=True)
class Step:
    name: str
    status: str
    message: str
    remedy: str = ""


def in_saleor() -> bool:
    """Whether this Django is Saleor's (its plugins and apps installed), not the standalone host."""
    spec = importlib.util.find_spec("saleor")  # a top-level name: never raises when Saleor is absent
    return spec is not None and spec.origin is not None and all(
        apps.is_installed(name) for name in ("saleor.plugins", "saleor.app"))


def activate_plugin(public_url: str = "") -> Step:
    """Switch the plugin on in Saleor (and set ``public_url`` when given), through Saleor's plugins manager."""
    from django.core.exceptions import ValidationError
    from saleor.plugins.manager import get_plugins_manager

    manager = get_plugins_manager(allow_replica=False)
    plugin = manager.get_plugin(PLUGIN_ID)
    if plugin is None:
        return Step("plugin", MISSING, "Saleor does not load the CRM plugin.",
                    "Install saleor-crm-plugin into Saleor's virtualenv (its entry point registers the plugin), "
                    "restart Saleor and run `python manage.py migrate`.")
    changes: dict = {}
    if public_url:
        current = {item["name"]: item.get("value") for item in plugin.configuration}
        if current.get("public_url") != public_url:
            changes["configuration"] = [{"name": "public_url", "value": public_url}]
    if not plugin.active:
        changes["active"] = True
    if not changes:
        return Step("plugin", ALREADY, f"The CRM plugin ({PLUGIN_ID}) is active.")
    try:
        manager.save_plugin_configuration(PLUGIN_ID, None, changes)
    except ValidationError as error:
        return Step("plugin", MISSING, f"Saleor refused the configuration: {'; '.join(error.messages)}",
                    "Correct the value and run crm_setup again.")
    done = ["switched on (it imports the shop's history and trains its models in the worker)"] \
        if "active" in changes else []
    if "configuration" in changes:
        done.append(f"public_url set to {public_url}")
    return Step("plugin", DONE, f"The CRM plugin ({PLUGIN_ID}): {', '.join(done)}.")


def install_dashboard_app(stdout=None) -> Step:
    """Install the CRM's Dashboard app from the plugin's manifest with Saleor's ``install_app``; once only."""
    from django.core.management import call_command
    from saleor.app.models import App

    from .campaigns.mail import plugin_url
    from .dashboard.manifest import APP_ID
    from .errors import CRMError

    app = App.objects.not_removed().filter(identifier=APP_ID).first()
    if app is not None:
        return Step("dashboard app", ALREADY, f"The Dashboard app '{app.name}' is installed.")
    try:
        manifest = plugin_url("manifest")
    except CRMError:
        return Step("dashboard app", MISSING, "The shop's public URL is not set, so the app's manifest has no URL.",
                    "Set Saleor's PUBLIC_URL, or run `python manage.py crm_setup --public-url https://<your "
                    "Saleor>`, then run crm_setup again.")
    try:
        call_command("install_app", manifest, "--activate", "--quiet", stdout=stdout)
    except Exception as error:  # noqa: BLE001 - Saleor raises requests' and its own errors; each is reported
        if type(error).__name__ == "InvalidIPAddress":  # requests_hardened's, raised by Saleor's HTTP_IP_FILTER
            return Step("dashboard app", MISSING, f"Installing from {manifest} failed: Saleor refuses to fetch "
                        f"from {error}, a private or loopback address (its HTTP_IP_FILTER).",
                        "Give a public URL that reaches this Saleor (crm_setup --public-url), or, for a shop on "
                        "this machine or a private network, set HTTP_IP_FILTER_ALLOW_LOOPBACK_IPS=True (loopback) "
                        "or HTTP_IP_FILTER_ENABLED=False in Saleor's environment, restart it and run crm_setup "
                        "again.")
        return Step("dashboard app", MISSING, f"Installing from {manifest} failed: {error}",
                    "Saleor fetches the manifest over HTTP: the URL must reach this Saleor's web server. "
                    "Start it (or correct the public URL) and run crm_setup again.")
    return Step("dashboard app", DONE, f"Installed the Dashboard app from {manifest}: the CRM page is under "
                                       "Customers.")


def check_worker(celery_app, timeout: float = 3.0) -> Step:
    """A worker answers a ping within ``timeout`` seconds and knows the CRM's tasks."""
    if celery_app.conf.task_always_eager:
        return Step("worker", MISSING, "Celery runs tasks eagerly in the web process (CELERY_TASK_ALWAYS_EAGER): "
                    "nothing runs on a schedule.", f"Configure a broker (CELERY_BROKER_URL) and run a worker: "
                    f"{WORKER_COMMAND}")
    try:
        inspect = celery_app.control.inspect(timeout=timeout)
        answers = inspect.ping() or {}
        registered = (inspect.registered() or {}) if answers else {}
    except Exception as error:  # noqa: BLE001 - any broker failure is reported, never raised
        return Step("worker", MISSING, f"The broker did not answer: {error}",
                    f"Start the broker Saleor's CELERY_BROKER_URL names, then a worker: {WORKER_COMMAND}")
    if not answers:
        return Step("worker", MISSING, f"No Celery worker answered within {timeout:g} s.",
                    f"Start one next to Saleor: {WORKER_COMMAND}")
    # Each task may be listed with its options ("name [rate_limit=…]").
    knowing = sorted(name for name, tasks in registered.items() if any(task.split()[0] == FOLD_TASK for task in tasks))
    if not knowing:
        return Step("worker", MISSING, f"{len(answers)} worker(s) answered, none knows the CRM's tasks (they were "
                    "started before the CRM was installed).", f"Restart the worker: {WORKER_COMMAND}")
    return Step("worker", RUNNING, f"{len(knowing)} worker(s) with the CRM's tasks: {', '.join(knowing)}.")


def check_beat() -> Step:
    """Beat with the database scheduler ran a CRM entry recently (see the module's docstring)."""
    from django_celery_beat.models import PeriodicTask

    interval = float(get_setting("sweep_interval_seconds", use_database=False))
    limit = interval + SYNC_EVERY_SECONDS + SLACK_SECONDS
    entries = PeriodicTask.objects.filter(name__startswith=ENTRY_PREFIX, task__startswith=TASK_PREFIX)
    if not entries.exists():
        return Step("beat", MISSING, "Beat with Saleor's DatabaseScheduler has never started since the CRM was "
                    "installed (the CRM's entries are not in its table).", f"Start beat: {BEAT_COMMAND}")
    last = entries.exclude(last_run_at=None).order_by("-last_run_at").values_list("last_run_at", flat=True).first()
    if last is None:
        return Step("beat", MISSING, "Beat's table holds the CRM's entries, but no run of them is recorded yet.",
                    f"If beat was started within the last {limit:.0f} s, run crm_setup again in a few minutes; "
                    f"otherwise start it: {BEAT_COMMAND}")
    age = (timezone.now() - last).total_seconds()
    if age > limit:
        return Step("beat", MISSING, f"Beat's last run of a CRM entry was {timedelta(seconds=round(age))} ago "
                    f"(a running beat with the database scheduler records one within {limit:.0f} s).",
                    f"Start beat with Saleor's scheduler, exactly one: {BEAT_COMMAND}")
    return Step("beat", RUNNING, f"Beat with the database scheduler ran a CRM entry {age:.0f} s ago.")

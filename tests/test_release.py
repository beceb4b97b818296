"""The release: ``python -m build`` from a clean clone, each artifact installed without Node, serving every page.

A clean ``git clone`` of this repository's HEAD is built with ``python -m build``
(the sdist, then the wheel from the sdist, as pip users get them); its setup.py
builds the Dashboard pages with npm on the way. Each artifact is then installed
with plain pip, with the ``host`` extra, into a fresh virtualenv whose PATH has no
Node or npm. The standalone host (``crm_host``, copied out of the clone, so
``saleor_crm_plugin`` comes from the virtualenv's site-packages) runs under
gunicorn and must answer HTTP 200 with the installed bytes for every Dashboard
page and widget, every built asset, and the schema (the exported SDL that the
package ships and ``_service { sdl }`` serves).

Skipped only without npm (the clone's pages cannot be built). pip and npm read
their caches; each install is still into its own new virtualenv.
"""

import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest
import requests
from django.db import connection

from saleor_crm_plugin.config import PLUGIN_PATH
from saleor_crm_plugin.dashboard.manifest import PAGES
from tests.celery_processes import free_port
from tests.live_host import production_env

ROOT = Path(__file__).resolve().parent.parent
VERSION = "0.2.0"
START_TIMEOUT = 60

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not on PATH: building the release's "
                                "Dashboard pages needs Node.js 18+ with npm (README, Prerequisites)")


def run(command: list, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=timeout,
                            **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    return result


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel ``python -m build`` makes from a clean clone of HEAD."""
    work = tmp_path_factory.mktemp("release")
    clone = work / "clone"
    run(["git", "clone", "--quiet", "--no-hardlinks", ROOT, clone], timeout=120)
    # npm may answer from its cache (the packages are the lock file's either way).
    env = {**os.environ, "npm_config_prefer_offline": "true", "npm_config_fund": "false",
           "npm_config_audit": "false"}
    run([sys.executable, "-m", "build", "--outdir", work / "dist", clone], timeout=900, env=env)
    sdist = work / "dist" / f"saleor_crm_plugin-{VERSION}.tar.gz"
    wheel = work / "dist" / f"saleor_crm_plugin-{VERSION}-py3-none-any.whl"
    assert sdist.is_file() and wheel.is_file(), sorted(p.name for p in (work / "dist").iterdir())
    return {"clone": clone, "sdist": sdist, "wheel": wheel}


def without_node(venv_bin: Path) -> dict:
    """The environment pip and the host run in: the virtualenv's bin first, and no directory with node or npm."""
    kept = [entry for entry in os.environ.get("PATH", "").split(os.pathsep)
            if entry and not any((Path(entry) / tool).exists() for tool in ("node", "npm", "npx"))]
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("npm_", "NODE", "PYTHONPATH", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join([str(venv_bin), *kept])
    assert shutil.which("npm", path=env["PATH"]) is None and shutil.which("node", path=env["PATH"]) is None
    return env


def install(artifact: Path, target: Path) -> tuple[Path, dict]:
    """A fresh virtualenv with ``artifact[host]`` installed by plain pip; its python and environment."""
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    python = target / "bin" / "python"
    env = without_node(target / "bin")
    run([python, "-m", "pip", "install", "--quiet", "--no-compile", f"{artifact}[host]"], timeout=900, env=env,
        cwd=target)
    return python, env


class Host:
    """gunicorn serving ``crm_host`` (copied to ``directory``) with the virtualenv's python."""

    def __init__(self, python: Path, env: dict, directory: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = directory / "gunicorn.log"
        self.log = self.logfile.open("w")
        self.process = subprocess.Popen(
            [python, "-m", "gunicorn", "crm_host.wsgi:application", "--workers", "1", "--bind",
             f"127.0.0.1:{self.port}"], cwd=directory, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.logfile.read_text()[-4000:]}"
            try:
                requests.get(self.url + PLUGIN_PATH + "manifest", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(f"the host did not answer within {START_TIMEOUT}s:\n{self.logfile.read_text()}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(20)
        self.log.close()


@pytest.mark.django_db(transaction=True)  # the host reads the test database (the CRM's settings), committed
@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_the_release_installs_without_node_and_serves_every_page(release, kind, tmp_path):
    # given: the artifact installed into a fresh virtualenv with no Node on PATH
    python, env = install(release[kind], tmp_path / "venv")
    host_dir = tmp_path / "host"
    shutil.copytree(release["clone"] / "crm_host", host_dir / "crm_host")
    db = connection.settings_dict  # the test database, migrated by pytest-django
    env.update(production_env(
        DJANGO_SETTINGS_MODULE="crm_host.settings", PUBLIC_URL="http://127.0.0.1",
        DATABASE_URL=f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                     f"{db['NAME']}"))
    # and the package the host imports is the installed one, not this checkout
    found = run([python, "-c", "import saleor_crm_plugin, importlib.metadata as m; "
                 "print(saleor_crm_plugin.__file__); print(m.version('saleor-crm-plugin'))"],
                timeout=60, env=env, cwd=host_dir).stdout.split()
    package = Path(found[0]).parent
    assert package.is_relative_to(tmp_path / "venv") and "site-packages" in package.parts, found
    assert db["NAME"].startswith("test_")
    assert found[1] == VERSION
    build = package / "static" / "saleor_crm_plugin" / "dashboard"
    assets = sorted(path.name for path in (build / "assets").iterdir())
    assert any(name.endswith(".js") for name in assets) and any(name.endswith(".css") for name in assets), assets
    sdl = (package / "graphql" / "schema.graphql").read_text()
    assert sdl == (release["clone"] / "graphql" / "schema.graphql").read_text()

    # when: the standalone host runs from the virtualenv
    host = Host(python, env, host_dir)
    try:
        session = requests.Session()
        base = host.url + PLUGIN_PATH
        pages = {page: session.get(f"{base}dashboard/{page}", timeout=30) for page in sorted(PAGES)}
        served_assets = {name: session.get(f"{base}dashboard/assets/{name}", timeout=30) for name in assets}
        service = session.post(host.url + "/graphql/", json={"query": "{ _service { sdl } }"}, timeout=60)
        manifest = session.get(f"{base}manifest", timeout=30)
    finally:
        host.stop()

    # then: every page and widget, every asset and the schema, with the installed bytes
    assert {page: response.status_code for page, response in pages.items()} == {page: 200 for page in PAGES}, \
        host.logfile.read_text()[-3000:]
    for page, response in pages.items():
        assert response.content == (build / f"{page}.html").read_bytes(), page
        assert "./assets/" in response.text, page
    assert {name: response.status_code for name, response in served_assets.items()} == {n: 200 for n in assets}
    for name, response in served_assets.items():
        assert response.content == (build / "assets" / name).read_bytes(), name
    assert service.status_code == 200 and service.json()["data"]["_service"]["sdl"] == sdl, service.text[:500]
    assert manifest.status_code == 200 and manifest.json()["version"] == VERSION
    print(f"{kind}: {len(pages)} pages, {len(assets)} assets and the schema served from {package}")


def test_an_install_from_a_checkout_without_node_or_built_pages_stops_naming_the_remedy(tmp_path):
    # given: a clean clone (no built pages) and a virtualenv with no Node on PATH
    clone = tmp_path / "clone"
    run(["git", "clone", "--quiet", "--no-hardlinks", ROOT, clone], timeout=120)
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    env = without_node(target / "bin")
    # when: pip installs the checkout (its dependencies are not needed to see the build step fail)
    result = subprocess.run([target / "bin" / "python", "-m", "pip", "install", "--no-deps", str(clone)],
                            capture_output=True, text=True, timeout=600, env=env)
    # then: it fails at install time, naming what is missing and the remedy
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "Dashboard pages are not built" in output and "npm is not on PATH" in output, output[-3000:]
    assert "Install Node.js 18+" in output and "released wheel or sdist" in output, output[-3000:]

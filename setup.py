"""Packaging: the metadata is in setup.cfg; this file only makes sure a release carries the Dashboard pages.

The CRM's Dashboard pages (``dashboard_extension/``, React + Vite) are built
into ``saleor_crm_plugin/static/saleor_crm_plugin/dashboard/``, which is not
committed. Building the sdist or a wheel from a checkout builds them first
when they are missing or older than their sources (``npm ci`` + ``npm run
build``: Node.js 18+ with npm), so both carry them; the sdist ships the built
pages and not ``dashboard_extension/``, so installing it needs no Node.

From a checkout without npm and without built pages a (non-editable) install
fails here, naming the remedy, rather than installing a CRM whose pages
answer 503. An editable install (``pip install -e``, a developer's working
copy) only warns: ``bin/setup`` builds the pages when npm is there.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
EXTENSION = ROOT / "dashboard_extension"
BUILD = ROOT / "saleor_crm_plugin" / "static" / "saleor_crm_plugin" / "dashboard"
PAGES = ("app", "customer-widget", "order-widget", "product-widget", "home-widget")
# What the build reads: the extension's sources and configuration, and the SDL its types are generated from.
SOURCES = ("src", "schema", "scripts", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts",
           "codegen.ts", *(f"{page}.html" for page in PAGES))
SDL = ROOT / "saleor_crm_plugin" / "graphql" / "schema.graphql"
REMEDY = ("Install Node.js 18+ with npm (https://nodejs.org, or Debian's `apt-get install nodejs npm`) and run "
          "the install again, or install a released wheel or sdist of saleor-crm-plugin, which carry the built "
          "pages. A developer's working copy: `pip install -e .` installs without them (bin/setup builds them).")


class DashboardNotBuilt(SystemExit):
    pass


def built() -> bool:
    return all((BUILD / f"{page}.html").is_file() for page in PAGES) and any((BUILD / "assets").glob("*.js"))


def newest_source_mtime() -> float:
    newest = SDL.stat().st_mtime if SDL.is_file() else 0.0
    for name in SOURCES:
        path = EXTENSION / name
        files = path.rglob("*") if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "generated" not in file.parts:  # codegen's output is written by the build itself
                newest = max(newest, file.stat().st_mtime)
    return newest


def stale() -> bool:
    return EXTENSION.is_dir() and newest_source_mtime() > (BUILD / "app.html").stat().st_mtime


def run_npm(*args: str) -> None:
    print(f"saleor-crm-plugin: npm {' '.join(args)} (in dashboard_extension/)", file=sys.stderr, flush=True)
    # Its output goes to stderr: pip shows it with -v, and in full when the build fails.
    subprocess.run(["npm", *args], cwd=EXTENSION, check=True, stdout=sys.stderr)


def ensure_dashboard_pages(required: bool) -> None:
    """Build the Dashboard pages when missing or stale; without npm, stop (``required``) or warn."""
    if built() and not stale():
        return
    npm = shutil.which("npm")
    if built() and npm is None:
        print("saleor-crm-plugin: warning: the Dashboard pages are older than dashboard_extension/ and npm is not "
              "on PATH, so the package carries the older pages.", file=sys.stderr)
        return
    if not EXTENSION.is_dir():
        raise DashboardNotBuilt("saleor-crm-plugin: this source tree has neither the built Dashboard pages "
                                f"({BUILD.relative_to(ROOT)}/) nor dashboard_extension/ to build them from: install "
                                "a released wheel or sdist, or a complete checkout of the repository.")
    if npm is None:
        message = (f"saleor-crm-plugin: the CRM's Dashboard pages are not built ({BUILD.relative_to(ROOT)}/ has "
                   f"no pages) and npm is not on PATH to build them. {REMEDY}")
        if required:
            raise DashboardNotBuilt(message)
        print(f"{message}\nWithout them the plugin answers 503 for its Dashboard pages.", file=sys.stderr)
        return
    if not (EXTENSION / "node_modules").is_dir():
        run_npm("ci", "--no-audit", "--no-fund", "--loglevel=error")
    run_npm("run", "build")
    if not built():
        raise DashboardNotBuilt(f"saleor-crm-plugin: `npm run build` did not write the pages into {BUILD}.")


class BuildPyWithDashboard(build_py):
    def run(self):
        # The package data (package_data globs) is collected when first read in run(), so after this.
        ensure_dashboard_pages(required=not getattr(self, "editable_mode", False))
        super().run()


class SdistWithDashboard(sdist):
    def run(self):
        # Before egg_info writes the file list (SOURCES.txt) the sdist is made from.
        ensure_dashboard_pages(required=True)
        super().run()


setup(cmdclass={"build_py": BuildPyWithDashboard, "sdist": SdistWithDashboard})

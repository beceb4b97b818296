"""Templates are data: hostile sources render as text or are refused with a code, and no code ever runs."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from saleor_crm_plugin.campaigns.templates import Renderer, compile_template
from saleor_crm_plugin.error_codes import CampaignErrorCode
from saleor_crm_plugin.errors import CRMError
from tests.campaigns.golden_cases import contexts
from tests.campaigns.hostile_templates import cases, sources

ROOT = Path(__file__).resolve().parents[2]
CODES = {code.value for code in CampaignErrorCode}
# What a leak of the interpreter looks like: a traceback, an exception's class, Python's version, id's output,
# a Python object's repr.
LEAKS = ("Traceback", 'File "', "NameError", "TypeError", "AttributeError", "KeyError", "SyntaxError", "ValueError",
         "RecursionError", sys.version, "uid=", "<class ", "<built-in", "<function", "<module", "<bound")
# Every module a template's text reaches: checked, compiled, rendered, previewed, sent (campaigns, automations).
TEMPLATE_PATH = [*sorted((ROOT / "saleor_crm_plugin/campaigns").glob("*.py")),
                 *sorted((ROOT / "saleor_crm_plugin/campaigns/automations").glob("*.py"))]
CODE_RUNNERS = {"exec", "eval", "compile", "__import__", "execfile"}


def leaks(text: str) -> list[str]:
    return [marker for marker in LEAKS if marker in text]


@pytest.mark.parametrize(("field", "source"), cases("{sentinel}"), ids=lambda value: str(value)[:40])
def test_a_hostile_template_renders_as_data_or_is_refused_with_a_code(tmp_path, field, source):
    # given
    sentinel = tmp_path / "pwned"
    template = sources(field, source.replace("{sentinel}", str(sentinel)))

    # when
    try:
        mail = Renderer(compile_template(**template)).render(contexts()["regular"])
        answers = [mail.subject, mail.html, mail.text]
    except CRMError as error:
        assert error.code_value in CODES
        assert error.field in ("subject", "preheader", "body", "text")
        answers = [error.message]

    # then
    assert not sentinel.exists()
    assert all(not leaks(answer) for answer in answers), [leaks(answer) for answer in answers]


@pytest.mark.parametrize("field", ["subject", "preheader", "body", "text", "mjml"])
def test_the_payload_that_ran_id_is_a_missing_variable_in_every_field(field):
    # given
    template = sources(field, "<b>{{[x') or __import__('os').popen('id').read() or (']}}</b>")

    # when
    mail = Renderer(compile_template(**template)).render(contexts()["regular"])

    # then: a key of that name does not exist, so it renders empty
    assert "uid=" not in mail.subject + mail.html + mail.text
    if field in ("body", "mjml"):
        assert "<b></b>" in mail.html


def test_a_key_of_any_name_is_only_ever_a_key():
    # given
    name = "x') or __import__('os').popen('id').read() or ('"
    compiled = compile_template(subject="{{[" + name + "]}}", body="<p>{{lookup this \"" + name + "\"}}</p>",
                                body_format="html")

    # when
    mail = Renderer(compiled).render({name: "just data"})

    # then
    assert mail.subject == "just data"
    assert "<p>just data</p>" in mail.html


def test_no_module_on_a_template_s_path_calls_exec_eval_or_compile():
    # given / when
    calls = []
    for path in TEMPLATE_PATH:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CODE_RUNNERS:
                calls.append(f"{path.name}:{node.lineno} {node.func.id}")

    # then
    assert len(TEMPLATE_PATH) > 10
    assert calls == []


def test_the_engine_library_calls_no_exec_eval_or_compile():
    # given
    import dotpromptz_handlebars

    library = Path(dotpromptz_handlebars.__file__).parent

    # when
    calls = [f"{path.name}:{node.lineno} {node.func.id}" for path in library.glob("*.py")
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CODE_RUNNERS]

    # then
    assert calls == []


def test_the_plugin_never_imports_pybars():
    # given: every module of the plugin imported in a fresh interpreter (but those needing Saleor itself)
    script = (
        "import importlib, pkgutil, sys, django\n"
        "django.setup()\n"
        "import saleor_crm_plugin\n"
        "for module in pkgutil.walk_packages(saleor_crm_plugin.__path__, 'saleor_crm_plugin.'):\n"
        "    if '.migrations.' not in module.name:\n"
        "        try:\n"
        "            importlib.import_module(module.name)\n"
        "        except ModuleNotFoundError as error:\n"
        "            if error.name.split('.')[0] != 'saleor':\n"
        "                raise\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('pybars', 'pymeta')))\n"
        "print(len([name for name in sys.modules if name.startswith('saleor_crm_plugin.')]))\n"
    )

    # when
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            cwd=ROOT, env=__import__("os").environ)  # the tests' SECRET_KEY (tests/environment.py)

    # then
    assert result.returncode == 0, result.stderr[-2000:]
    imported, count = result.stdout.strip().splitlines()[-2:]
    assert imported == "[]"
    assert int(count) > 50


def test_the_setup_requires_no_pybars():
    # given / when
    requirements = (ROOT / "setup.cfg").read_text()

    # then
    assert "pybars" not in requirements.lower()
    assert "dotpromptz-handlebars>=0.2.0,<0.3" in requirements

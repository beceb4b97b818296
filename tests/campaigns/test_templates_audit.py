"""Property: whatever a template source holds, checking and rendering it runs no code, starts no process and
writes no file (Python's audit hooks watch), and any refusal is a coded ``CRMError``."""

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_crm_plugin.campaigns.templates import Renderer, compile_template
from saleor_crm_plugin.error_codes import CampaignErrorCode
from saleor_crm_plugin.errors import CRMError
from tests.campaigns.golden_cases import contexts

EXAMPLES = 300
CODES = {code.value for code in CampaignErrorCode}
SENTINEL = Path(tempfile.mkdtemp()) / "ran"
# Audit events of running code or starting a process (an import of a module that is not loaded yet is an
# "exec" too: everything is loaded before the watch starts).
FORBIDDEN = ("exec", "compile", "os.system", "subprocess.Popen", "os.posix_spawn", "os.fork", "os.forkpty",
             "os.spawn", "pty.spawn", "ctypes.dlopen", "os.startfile")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

_recorded: list | None = None


def _record(event: str, args: tuple) -> None:
    if _recorded is None:
        return
    if event in FORBIDDEN or event.startswith("os.exec"):
        _recorded.append((event, repr(args)[:200]))
    elif event == "open":
        mode, flags = (args + (None, None))[1:3]
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & WRITE_FLAGS):
            _recorded.append((event, repr(args)[:200]))


sys.addaudithook(_record)  # audit hooks stay for the process; they record only inside watched()


@contextmanager
def watched():
    """Record forbidden audit events for the duration; yields the list."""
    global _recorded
    _recorded = []
    try:
        yield _recorded
    finally:
        _recorded = None


pieces = st.sampled_from([
    "{{", "}}", "{{{", "}}}", "{{{{raw}}}}", "{{{{/raw}}}}", "[", "]", "'", "\"", "\\", "(", ")", " ", "\n", "~",
    "__class__", "__import__('os')", "__globals__", "__mro__", "__builtins__", "__subclasses__()", ".format(",
    f"os.system('touch {SENTINEL}')", f"open('{SENTINEL}', 'w')", "eval(", "exec(", "f'{", "%s", "{0}",
    "#each", "#if", "#with", "#unless", "/each", "/if", "/with", "else", "^", "as |x i|", "includeZero=true",
    "default", "money", "date", "lookup", "log", "this", "..", "../", "@root", "@index", ".", "=", "|",
    ">", "#>", "#*inline", "*", "!", "!--", "--", "recommendations", "customer.first_name", "last_order.total",
    "{{#each recommendations}}", "{{/each}}", "{{#if last_order}}", "{{else}}", "{{/if}}", "{{name}}",
    "{{lookup this \"__class__\"}}", "{{this.[__class__]}}", "{{[x') or 1 or (']}}", "{{constructor.constructor}}",
    "{{> p}}", "{{#*inline \"p\"}}{{> p}}{{/inline}}", "{{date last_order.placed_at \"yyyy\"}}",
    "{{money last_order.total_amount last_order.currency}}", "{{default (lookup . \"x\") \"y\"}}",
])
sources = st.lists(pieces | st.text(max_size=4), max_size=30).map("".join)


def _render(subject: str, body: str, text: str) -> list[str]:
    try:
        mail = Renderer(compile_template(subject=subject, body=f"<p>{body}</p>", body_format="html",
                                         text=text)).render(contexts()["regular"])
    except CRMError as error:
        assert error.code_value in CODES
        return [error.message]
    return [mail.subject, mail.html, mail.text]


# Everything the checks, the renderer and the helpers load, loaded before anything is watched.
_render("{{default customer.first_name \"x\"}} {{money \"1\" \"EUR\"}} {{date \"2026-01-01\"}}",
        "{{#each recommendations}}<a href=\"{{url}}\">{{name}}</a>{{/each}}", "")
_render("{{bad(}}", "{{#if}}", "{{> x}}")


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(subject=sources, body=sources, text=sources)
def test_checking_and_rendering_any_source_runs_no_code_and_writes_nothing(subject, body, text):
    # given / when
    with watched() as events:
        answers = _render(subject, body, text)

    # then
    assert events == []
    assert not SENTINEL.exists()
    assert all("Traceback" not in answer and "<class " not in answer for answer in answers)


def test_the_watch_sees_code_run_and_files_written():
    # given / when: what a template must never cause (the watch itself is what the property relies on)
    with watched() as events:
        exec("1")  # noqa: S102 - the audit event under test
        with open(SENTINEL.parent / "written", "w") as handle:
            handle.write("x")

    # then
    assert [event for event, _ in events] == ["compile", "exec", "open"]

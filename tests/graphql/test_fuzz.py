"""Property-based fuzzing of the GraphQL endpoint: generated operations never fail internally.

hypothesis-graphql generates queries and mutations (valid ones and ones with
one schema violation) from the exported SDL and sends them over real HTTP to
a live server, as an anonymous caller, a shopper and a staff member, against
a shop with orders, a trained model, a segment and notes. The fuzzer runs in
``.venv-fuzz`` (made by ``bin/test``) because hypothesis-graphql needs
graphql-core 3 and the CRM runs on graphene 2's graphql-core 2.
"""

import subprocess
from pathlib import Path

import pytest

from tests.graphql.conftest import staff_token, token

ROOT = Path(__file__).resolve().parents[2]
FUZZ_PYTHON = ROOT / ".venv-fuzz" / "bin" / "python"
FUZZER = ROOT / "tests" / "fuzz" / "graphql_fuzz.py"
SCHEMA = ROOT / "graphql" / "schema.graphql"
EXAMPLES_PER_ROLE = 150

pytestmark = pytest.mark.skipif(
    not FUZZ_PYTHON.exists(), reason="the fuzzer's virtualenv .venv-fuzz is missing (bin/test makes it)")


def test_generated_operations_never_fail_internally(live_server, record_shop):
    # given a shop with a trained model, a saved segment and a note
    from saleor_crm_plugin.models import CustomerNote, CustomerProfile
    from saleor_crm_plugin.recommendations.training import train_models
    from saleor_crm_plugin.segments.membership import save_segment

    train_models()
    save_segment(name="Regulars", rules={"field": "order_count", "op": "gte", "value": 2})
    CustomerNote.objects.create(profile=CustomerProfile.objects.get(user_id=100), author_email="staff@example.com",
                                text="Prefers vinyl")
    roles = ["anonymous=", f"shopper={token(user_id=100, expires_in=1800)}",
             f"staff={staff_token(expires_in=1800)}"]
    # when every role sends a fixed number of generated operations
    result = subprocess.run(
        [str(FUZZ_PYTHON), str(FUZZER), f"{live_server.url}/graphql/", str(SCHEMA), "--examples",
         str(EXAMPLES_PER_ROLE), *(arg for role in roles for arg in ("--role", role))],
        capture_output=True, text=True, timeout=900)
    # then none got an HTTP 500, a non-JSON answer or an internal_error
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert result.stdout.count("0 internal errors, 0 HTTP 500") == len(roles)

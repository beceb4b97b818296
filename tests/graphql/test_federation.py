"""The CRM as a federation subgraph of Saleor: exported SDL, composition, entity resolution."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from saleor_crm_plugin.graphql.federation import subgraph_sdl
from saleor_crm_plugin.graphql.schema import schema
from tests.graphql.conftest import error_codes, gid, operation, staff_token

ROOT = Path(__file__).resolve().parents[2]
EXPORTED = ROOT / "graphql" / "schema.graphql"
PACKAGED = ROOT / "saleor_crm_plugin" / "graphql" / "schema.graphql"  # shipped in the wheel
SALEOR_SDL = ROOT.parent / "shared" / "saleor" / "federated-schema-3.23.graphql"
COMPOSE = ROOT / "tests" / "federation" / "compose.mjs"


def composition_skip_reason(saleor_sdl: Path = SALEOR_SDL, compose_dir: Path = COMPOSE.parent) -> str | None:
    """Why the composition tests cannot run here (a missing prerequisite), or None."""
    if not saleor_sdl.is_file():
        return (f"Saleor's federated SDL is not here ({saleor_sdl}): it comes from the shared folder "
                "beside the repository (../shared/saleor/), which a plain clone does not have")
    if not shutil.which("node"):
        return "Node.js is not installed: the composition test runs @apollo/composition with node"
    if not (compose_dir / "node_modules" / "@apollo" / "composition").exists():
        return "@apollo/composition is not installed: run npm ci --prefix tests/federation (bin/test does)"
    return None


needs_composition = pytest.mark.skipif(composition_skip_reason() is not None,
                                       reason=composition_skip_reason() or "")


def compose(crm_sdl_path: Path) -> tuple[int, dict]:
    done = subprocess.run(["node", str(COMPOSE), str(SALEOR_SDL), str(crm_sdl_path)],
                          capture_output=True, text=True, timeout=180)
    return done.returncode, json.loads(done.stdout or "{}")


def test_the_exported_schema_is_current():
    sdl = subgraph_sdl(schema)
    assert EXPORTED.read_text() == sdl, "graphql/schema.graphql is stale: python manage.py crm_graphql_schema"
    assert PACKAGED.read_text() == sdl, \
        "saleor_crm_plugin/graphql/schema.graphql (the packaged copy) is stale: python manage.py crm_graphql_schema"


@needs_composition
def test_the_subgraph_composes_with_saleors_federated_schema():
    # when
    status, result = compose(EXPORTED)
    # then
    assert status == 0 and result["errors"] == [], result
    api = result["api"]
    user = api[api.index("type User implements"):]
    user = user[: user.index("\n}")]
    product = api[api.index("type Product implements"):]
    product = product[: product.index("\n}")]
    assert "crmProfile: CRMProfile" in user and "recommendations(channel: String!, first: Int)" in user
    assert "orderHistory(first: Int, after: String): CRMOrderCountableConnection!" in user
    assert "alsoBought(first: Int): [Recommendation!]!" in product and "similarProducts" in product
    assert "myOrderHistory" in api and "crmCustomers" in api


@needs_composition
def test_composition_reports_a_conflicting_subgraph(tmp_path):
    # given: a subgraph that also resolves User.email, with another type than Saleor's
    broken = tmp_path / "broken.graphql"
    broken.write_text(EXPORTED.read_text().replace(
        'extend type User @key(fields: "id") {\n  id: ID! @external\n',
        'extend type User @key(fields: "id") {\n  id: ID! @external\n  email: Int\n'))
    # when
    status, result = compose(broken)
    # then
    assert status == 1 and result["errors"]


@pytest.mark.django_db
def test_service_sdl_and_entities_over_http(gql, record_shop):
    from saleor_crm_plugin.recommendations.training import train_models

    train_models()
    # when
    _, service = gql("query { _service { sdl } }")
    _, entities = gql(operation("federation/entities"), {"representations": [
        {"__typename": "User", "id": gid("User", 100)},
        {"__typename": "Product", "id": gid("Product", 1), "channel": "web"},
    ]}, bearer=staff_token())
    _, no_channel = gql(operation("federation/entities"), {"representations": [
        {"__typename": "Product", "id": gid("Product", 1)}]})
    _, unknown = gql(operation("federation/entities"), {"representations": [{"__typename": "Order", "id": "x"}]})
    # then
    assert service["data"]["_service"]["sdl"] == EXPORTED.read_text()
    user, product = entities["data"]["_entities"]
    assert user["crmProfile"] == {"orderCount": 4} and user["orderHistory"] == {"totalCount": 4}
    assert user["recommendations"][0]["productId"] == gid("Product", 8)
    assert product["alsoBought"][0]["productId"] == gid("Product", 2)
    assert set(error_codes(no_channel)) == {"required"}
    assert error_codes(unknown) == ["invalid"]

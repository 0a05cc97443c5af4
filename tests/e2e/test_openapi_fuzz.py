"""Fuzzing every operation in /openapi.json: no input, valid or not, may cause a 5xx.

The operations are read from the app's own OpenAPI document, so routes added later are
fuzzed without any change here. Requests go straight to the ASGI app (no network) against
one SQLite world per module; each operation gets a small, fixed-seed batch of generated
requests, both valid ones and ones that break the schema.

A deeper search, run by hand: ``NEWRETAIL_FUZZ_EXAMPLES=50`` generates that many requests per
operation and caller, and ``NEWRETAIL_FUZZ_RANDOM=1`` draws them from a new seed each run
(hypothesis prints the failing request, and the seed to reproduce it).
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from tests import builders, pos_builders, return_builders
from tests.passwords import cheap_hashing

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database
from newretail.models import Base

CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
    checks.status_code_conformance,
]
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
CALLERS = ("brand_admin", "platform_admin")
# Generated requests per run, spread over every operation and caller, so the run stays
# bounded as routes are added: each operation gets between 3 and 12 requests per caller.
REQUEST_BUDGET = 1200


def _operation_labels() -> list[str]:
    """``METHOD /path`` of every documented operation, read from the app's routes (building
    the app touches no database; writing its OpenAPI document would cost every test process
    seconds at collection). The fixture checks them against the document it fuzzes."""
    app = create_app(Settings(database_url="sqlite://"), Database("sqlite://"))
    return sorted(
        {
            f"{method} {route.path_format}"
            for route in iter_route_contexts(app.routes)
            if isinstance(route.original_route, APIRoute) and route.include_in_schema
            for method in route.methods or ()
            if method.lower() in HTTP_METHODS
        }
    )


OPERATIONS = _operation_labels()
EXAMPLES_PER_OPERATION = int(
    os.environ.get("NEWRETAIL_FUZZ_EXAMPLES", 0)
    or max(3, min(12, REQUEST_BUDGET // (len(CALLERS) * len(OPERATIONS))))
)
RANDOM = os.environ.get("NEWRETAIL_FUZZ_RANDOM", "") == "1"


@dataclass
class FuzzTarget:
    schema: schemathesis.BaseSchema
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    """A brand with staff of every role, goods, a till and an order, and a platform admin,
    served in-process."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    database = Database(f"sqlite:///{path}")
    Base.metadata.create_all(database.engine)
    with cheap_hashing():
        # Something behind the ids a request may name (small integers come up often): a
        # shop with stock, a till with a shift open, and an order paid and handed over.
        till = pos_builders.till(database)
        return_builders.received_order(database, till.shop)
        world = till.shop.world
        root = builders.platform_admin(database)
    app: FastAPI = create_app(
        Settings(database_url=database.url, log_json=False, log_level="ERROR"), database
    )
    headers = {
        "brand_admin": world.headers("admin"),
        "platform_admin": {"Authorization": f"Bearer {builders.token(root)}"},
    }
    published = {
        f"{method.upper()} {path}"
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert published == set(OPERATIONS), (
        "the operations read from the routes are not the documented ones"
    )
    yield FuzzTarget(schema=schemathesis.openapi.from_asgi("/openapi.json", app), headers=headers)
    database.dispose()


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("label", OPERATIONS)
def test_no_request_causes_a_server_error(fuzz_target: FuzzTarget, label: str, who: str) -> None:
    operation = fuzz_target.schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is missing from the served /openapi.json"
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=not RANDOM,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=fuzz_target.headers[who], checks=CHECKS)

    call()

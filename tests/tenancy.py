"""The cross-tenant route walk: every API route, called by another brand, must leak nothing.

``VICTIM_PARAMS`` says how to get a victim resource for each path parameter name, and
``ATTACK_BODIES`` gives a valid body for write routes (pointing at the victim's resources
where the body can reference them). A new route with an unknown path parameter, or a write
route whose body fails validation, is reported, so new routes are covered automatically.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from newretail.auth import service as auth_service
from newretail.auth.schemas import ApiKeyCreate
from newretail.auth.scope import SYSTEM
from newretail.db import Database
from tests.builders import BrandWorld


@dataclass
class Victim:
    world: BrandWorld
    database: Database

    def api_key_id(self) -> int:
        with self.database.transaction() as session:
            key, _ = auth_service.create_api_key(
                session=session,
                scope=SYSTEM,
                data=ApiKeyCreate(brand_id=self.world.brand.id, name="victim key"),
            )
            return key.id


VICTIM_PARAMS: dict[str, Callable[[Victim], int | str]] = {
    "brand_id": lambda v: v.world.brand.id,
    "region_id": lambda v: v.world.east.id,
    "store_id": lambda v: v.world.east_store.id,
    "staff_id": lambda v: v.world.east_guide.id,
    "api_key_id": Victim.api_key_id,
}

# Path parameters of resources that the platform shares between brands: reading is allowed.
SHARED_PARAMS = {"district_id"}

PUBLIC_ROUTES = {("POST", "/api/v1/auth/token"), ("GET", "/api/v1/auth/me")}

Body = Callable[[Victim], dict[str, Any] | None]

ATTACK_BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/api/v1/regions"): lambda v: {
        "brand_id": v.world.brand.id,
        "parent_id": v.world.hq.id,
        "code": "EVIL",
        "name": "x",
    },
    ("POST", "/api/v1/stores"): lambda v: {
        "region_id": v.world.east.id,
        "code": "EVIL",
        "name": "x",
        "type": "direct",
        "lat": 31.0,
        "lng": 121.0,
    },
    ("POST", "/api/v1/staff"): lambda v: {
        "username": "evil.user",
        "display_name": "x",
        "password": "long-enough-pw",
        "roles": [{"role": "guide", "store_id": v.world.east_store.id}],
    },
    ("POST", "/api/v1/api-keys"): lambda v: {"brand_id": v.world.brand.id, "name": "x"},
    ("POST", "/api/v1/brands"): lambda v: None,  # platform-only; no victim reference possible
    ("POST", "/api/v1/districts"): lambda v: None,  # platform-only, shared
    ("PATCH", "/api/v1/regions/{region_id}"): lambda v: {"name": "renamed"},
    ("PATCH", "/api/v1/stores/{store_id}"): lambda v: {"name": "renamed"},
    ("PATCH", "/api/v1/staff/{staff_id}"): lambda v: {"display_name": "renamed"},
    ("PATCH", "/api/v1/brands/{brand_id}"): lambda v: {"name": "renamed"},
    ("PUT", "/api/v1/staff/{staff_id}/roles"): lambda v: {"roles": [{"role": "brand_admin"}]},
}


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    params: tuple[str, ...]
    has_body: bool


def api_routes(app: FastAPI) -> Iterator[ApiRoute]:
    """Every operation of the API, read from the OpenAPI document the app publishes."""
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            method = method.upper()
            if (method, path) in PUBLIC_ROUTES:
                continue
            params = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
            yield ApiRoute(method, path, params, "requestBody" in operation)


def _victim_markers(v: Victim) -> tuple[int, set[str]]:
    w = v.world
    strings = {
        w.brand.code,
        w.east_store.code,
        w.west_store.code,
        w.hq.code,
        w.east.code,
        w.admin.username,
        w.east_guide.username,
    }
    return w.brand.id, strings


def _leaks(payload: Any, brand_id: int, strings: set[str]) -> bool:
    if isinstance(payload, dict):
        if payload.get("brand_id") == brand_id:
            return True
        return any(_leaks(value, brand_id, strings) for value in payload.values())
    if isinstance(payload, list):
        return any(_leaks(item, brand_id, strings) for item in payload)
    return isinstance(payload, str) and payload in strings


def walk(client: TestClient, headers: dict[str, str], victim: Victim) -> list[str]:
    """Call every API route as the attacker; return what leaked or could not be checked."""
    problems: list[str] = []
    brand_id, strings = _victim_markers(victim)
    for route in api_routes(client.app):  # type: ignore[arg-type]
        method, params, has_body = route.method, route.params, route.has_body
        unknown = [p for p in params if p not in VICTIM_PARAMS and p not in SHARED_PARAMS]
        if unknown:
            problems.append(f"{method} {route.path}: add {unknown} to VICTIM_PARAMS")
            continue
        if any(p in SHARED_PARAMS for p in params):
            continue
        path = route.path.format(**{p: VICTIM_PARAMS[p](victim) for p in params})
        body_for = ATTACK_BODIES.get((method, route.path))
        if has_body and body_for is None and not params:
            problems.append(f"{method} {route.path}: add an attack body to ATTACK_BODIES")
            continue
        body = body_for(victim) if body_for else ({} if has_body else None)
        if has_body and body is None:
            continue
        response = client.request(method, path, json=body, headers=headers)
        label = f"{method} {route.path} -> {response.status_code}"
        if params:
            if response.status_code != 404:
                problems.append(f"{label}: a cross-tenant call must be 404 ({response.text[:200]})")
        elif response.status_code == 422:
            problems.append(f"{label}: attack body does not validate ({response.text[:200]})")
        elif response.status_code < 300 and method != "GET":
            problems.append(f"{label}: a write referencing another brand succeeded")
        elif response.headers.get("content-type", "").startswith("application/json") and _leaks(
            response.json(), brand_id, strings
        ):
            problems.append(f"{label}: response contains the victim's data")
        if method == "GET" and not params:
            scoped = client.get(path, params={"brand_id": brand_id}, headers=headers)
            if scoped.status_code < 300 and _leaks(scoped.json(), brand_id, strings):
                problems.append(f"{label} ?brand_id=victim: response contains the victim's data")
    return problems

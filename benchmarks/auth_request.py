"""A trivial authenticated GET: requests/s of the request path, next to the old one.

Serves the app with uvicorn (one process, started here, on 127.0.0.1) and drives
``--clients`` concurrent keep-alive httpx clients at ``GET /api/v1/auth/me`` with a store
manager's bearer token. The anchor, measured in the same run with rounds interleaved, is
the same answer through the old path, mounted on the same app at ``/bench/uncached-me``:
plain ``def`` dependencies (a thread hop each: the session's start and end, the scope, the
endpoint) and the staff scope rebuilt from the database on every request (six queries for
a store manager). Besides requests/s (which the load generator, on the same machine,
shares the CPU for), the server's own CPU per request is read from ``/proc``. Prints one
JSON line.

    .venv/bin/python benchmarks/auth_request.py [--database-url URL] [--clients 16]
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import text
from sqlalchemy.orm import Session

from newretail.app import create_app
from newretail.auth import security
from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.auth.schemas import MeRead, StaffCreate
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.errors import InvalidToken
from newretail.kernel.scope import SYSTEM, Scope
from newretail.models import Base
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- the world: a brand, a region tree and a store manager -----------------------------


def build_world(database: Database) -> str:
    """A store manager's bearer token (the scope with the most queries to build)."""
    with database.transaction() as session:
        brand = org_service.create_brand(
            session=session, scope=SYSTEM, data=BrandCreate(code="BENCH", name="Bench")
        )
        hq = org_service.create_region(
            session=session,
            scope=SYSTEM,
            data=RegionCreate(brand_id=brand.id, code="HQ", name="HQ", kind="hq"),
        )
        store = org_service.create_store(
            session=session,
            scope=SYSTEM,
            data=StoreCreate(
                brand_id=brand.id,
                region_id=hq.id,
                code="S1",
                name="Store 1",
                type="direct",
                address="1 Nanjing Road",
                city="Shanghai",
                lat=31.23,
                lng=121.47,
            ),
        )
        data = StaffCreate.model_validate(
            {
                "brand_id": brand.id,
                "username": "bench.manager",
                "display_name": "Bench Manager",
                "password": "bench-password",
                "roles": [{"role": "store_manager", "store_id": store.id}],
            }
        )
        staff = auth_service.create_staff(session=session, scope=SYSTEM, data=data)
        return auth_service.issue_staff_token(staff=staff, ttl_seconds=3600)[0]


# ---- the old path, mounted beside the new one ------------------------------------------

_bearer = HTTPBearer(auto_error=False)


def _uncached_session(request: Request) -> Iterator[Session]:
    database: Database = request.app.state.database
    with database.transaction(read_only=request.method in READ_METHODS) as session:
        yield session


def _uncached_scope(
    session: Annotated[Session, Depends(_uncached_session, scope="function")],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Scope:
    claims = security.read_token(credentials.credentials) if credentials else None
    staff = session.get(Staff, claims.subject_id) if claims else None
    if staff is None:
        raise InvalidToken()
    return auth_service.scope_for_staff(session=session, staff=staff)


def _me(scope: Scope) -> MeRead:
    return MeRead(
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        display_name=scope.display_name,
        brand_id=scope.brand_id,
        roles=sorted(scope.roles),
        store_ids=sorted(scope.store_ids) if scope.store_ids is not None else None,
    )


def bench_app(url: str) -> FastAPI:
    settings = Settings(database_url=url, log_json=True, log_level="ERROR")
    database = Database(url, pool_size=10, max_overflow=10)
    app = create_app(settings, database)

    @app.get("/bench/uncached-me", response_model=MeRead)
    def uncached_me(scope: Annotated[Scope, Depends(_uncached_scope)]) -> MeRead:
        return _me(scope)

    return app


def serve(url: str, port: int) -> None:
    import uvicorn

    uvicorn.run(bench_app(url), host="127.0.0.1", port=port, log_level="error", access_log=False)


# ---- load ------------------------------------------------------------------------------


async def _load(url: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` keep-alive connections asking ``url`` in a loop for ``seconds``.

    A bare HTTP/1.1 client on asyncio streams: it costs the machine (shared with the
    server) far less CPU per request than a full client library would.
    """
    parts = urlsplit(url)
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = CONTENT_LENGTH.search(head)
                await reader.readexactly(int(length[1]) if length else 0)
                latencies.append(time.perf_counter() - started)
                errors += not head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return {"latencies": latencies, "elapsed": time.perf_counter() - started, "errors": errors}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured(pid: int, url: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    before = cpu_seconds(pid)
    run = asyncio.run(_load(url, token, clients, seconds))
    return {**run, "cpu": cpu_seconds(pid) - before}


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = sorted(x for run in runs for x in run["latencies"])
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "req_per_s": round(len(latencies) / sum(run["elapsed"] for run in runs), 1),
        "server_cpu_ms_per_request": round(sum(r["cpu"] for r in runs) / len(latencies) * 1000, 3),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(cut[98] * 1000, 2),
        "requests": len(latencies),
        "errors": sum(run["errors"] for run in runs),
    }


def wait_for(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0, help="per round and path")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url)
        if not database.is_sqlite:
            with database.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(database.engine)
        token = build_world(database)
        dialect = database.engine.dialect.name
        database.dispose()
        port = args.port or free_port()
        base = f"http://127.0.0.1:{port}"
        server = multiprocessing.get_context("spawn").Process(target=serve, args=(url, port))
        server.start()
        assert server.pid is not None
        try:
            wait_for(base, time.monotonic() + 120)
            paths = {"new": "/api/v1/auth/me", "old": "/bench/uncached-me"}
            for path in paths.values():
                asyncio.run(_load(base + path, token, args.clients, 0.5))  # warm-up
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
            for _ in range(args.rounds):
                for name, path in paths.items():
                    runs[name].append(
                        _measured(server.pid, base + path, token, args.clients, args.seconds)
                    )
        finally:
            server.terminate()
            server.join(15)
    new, old = _summary(runs["new"]), _summary(runs["old"])
    result = {
        "benchmark": "auth_request",
        "database": dialect,
        "clients": args.clients,
        "path": "GET /api/v1/auth/me, store manager's bearer token, 1 uvicorn process",
        **new,
        "anchor": "the same answer through sync dependencies and a scope rebuilt per request",
        "anchor_req_per_s": old["req_per_s"],
        "anchor_p50_ms": old["p50_ms"],
        "anchor_p99_ms": old["p99_ms"],
        "anchor_server_cpu_ms_per_request": old["server_cpu_ms_per_request"],
        "speedup": round(new["req_per_s"] / old["req_per_s"], 2),
        "cpu_ratio": round(old["server_cpu_ms_per_request"] / new["server_cpu_ms_per_request"], 2),
        "errors": new["errors"] + old["errors"],
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

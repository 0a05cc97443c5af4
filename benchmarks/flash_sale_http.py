"""Benchmark: a flash sale over HTTP, 300 buyers for 50 units of one hot SKU.

Serves the app as ``newretail serve`` does, with uvicorn's CLI (``--factory
newretail.app:serving_app --workers 2``: each process builds its routes before its first
request) on 127.0.0.1, signs every buyer in beforehand (a consumer token each, untimed),
then times 32 client threads, each on a keep-alive connection of the standard library's
``http.client`` (the client process shares the machine's cores with the server: the
lighter its requests, the more of the machine the server has), each buyer one
``POST /api/v1/purchases`` (checkout and pay in one request), or with ``--two-step`` a
``POST /api/v1/orders`` and a ``POST .../pay``. The anchor, in the same run and on the same
database with the same threads and buyers: the bare DB-API loop of ``flash_sale.py`` (the
same writes per buyer, one transaction each).

Both are timed warm, as a server that has been running: the runs start once every worker
has finished starting (its CPU time stands still) and ``--warm-up`` other buyers (128)
have bought another SKU of the first store, untimed, on the HTTP clients the timed runs use
(one per client thread, connected); the bare loop's connections are opened before its
runs. A shared machine's speed drifts over seconds, and the bare loop sells out in a tenth
of one: ``--rounds`` (3) sales run one after the other, each on a store of its own, the
service and the bare loop back to back (the server idle while the bare loop runs), and the
JSON line gives the middle round by share, every round's share, and ``oversold`` over all
rounds. Each server process runs ``--request-threads`` requests at once in threads
(``NEWRETAIL_REQUEST_THREADS``; the setting's default unless given), which the JSON line
names. The server is stopped by its PID at the end. SQLite in a temporary file by default;
PostgreSQL when NEWRETAIL_BENCH_DATABASE_URL (or NEWRETAIL_TEST_DATABASE_URL) is set.
Prints one JSON line on stdout.

    .venv/bin/python benchmarks/flash_sale_http.py [--port 8100] [--two-step] [--warm-up 128]
        [--rounds 3] [--request-threads N]
"""

import argparse
import gc
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from flash_sale import (
    PRICE,
    bare_buyer,
    build_world,
    database_url,
    hot_store,
    order_body,
    settle,
    sold_units,
)
from newretail.auth import service as auth_service
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate, ProductCreate, SkuCreate
from newretail.config import Settings
from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM
from newretail.models import Base
from newretail.observability import configure_logging
from support.hot_sku import HotStore, run

SECRET = "flash-sale-http-benchmark-secret-0123456789"
API = "/api/v1"


def serve(url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """uvicorn with ``workers`` processes of ``threads`` request threads each, ready to
    answer; stop it with ``stop``."""
    env = {
        **os.environ,
        "NEWRETAIL_DATABASE_URL": url,
        "NEWRETAIL_SECRET_KEY": SECRET,
        "NEWRETAIL_LOG_LEVEL": "WARNING",
        "NEWRETAIL_REQUEST_THREADS": str(threads),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "newretail.app:serving_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--no-access-log", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("the server did not come up")


def booted(server: subprocess.Popen[bytes], workers: int, quiet_s: float = 0.5) -> None:
    """Wait until the server's ``workers`` processes are up and idle: /healthz answers as
    soon as one worker listens, while another may still be importing the app (seconds of
    CPU on a machine of two cores), which the timed run must not share."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if not children.exists():  # not Linux: nothing to watch
        return
    deadline = time.monotonic() + 120
    last: dict[int, int] = {}
    while time.monotonic() < deadline:
        pids = [int(p) for p in children.read_text().split()]
        now = {pid: _cpu_ticks(pid) for pid in pids}
        if len(pids) >= workers and now == last:
            return
        last = now
        time.sleep(quiet_s)
    raise SystemExit("the server's workers did not settle")


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1
    return int(fields[11]) + int(fields[12])  # utime + stime


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's PID (uvicorn's supervisor stops its workers), then wait."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class Answer(NamedTuple):
    status: int
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection of a client thread (the standard library's
    ``http.client``): of the Python clients, the one that costs the client process least a
    request, CPU which on a small machine the server shares."""

    def __init__(self, port: int) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        self.http.request("POST", API + path, body=body, headers=headers)
        response = self.http.getresponse()
        return Answer(response.status, response.read())

    def close(self) -> None:
        self.http.close()


def http_clients(port: int, count: int) -> list[Connection]:
    """One connection per client thread, made before any run (as the bare loop's database
    connections are opened before its run); the warm-up connects them to the server."""
    return [Connection(port) for _ in range(count)]


def http_buyer(
    clients: list[Connection], body: dict[str, Any], tokens: list[str], two_step: bool
) -> Any:
    """One buyer over HTTP, on the connection its thread took from ``clients`` (one each).
    The order's JSON is written once: it is the same for every buyer."""
    local = threading.local()
    free = list(clients)
    lock = threading.Lock()
    order = json.dumps(body).encode()

    def client() -> Connection:
        found = getattr(local, "client", None)
        if found is None:
            with lock:
                found = local.client = free.pop()
        return found

    def buy(n: int) -> bool:
        headers = {"Authorization": f"Bearer {tokens[n]}", "Content-Type": "application/json"}
        if not two_step:
            answer = client().post("/purchases", order, headers)
            _expect(answer, (201, 409))
            return answer.status == 201
        created = client().post("/orders", order, headers)
        _expect(created, (201, 409))
        if created.status != 201:
            return False
        paid = client().post(f"/orders/{json.loads(created.body)['id']}/pay", b"{}", headers)
        _expect(paid, (201,))
        return True

    return buy


def warm_up_sku(database: Database, hot: HotStore, units: int) -> int:
    """Another SKU of the hot store, on offer, with ``units`` on its shelf."""
    with database.transaction() as session:
        product = catalog_service.create_product(
            session=session,
            scope=SYSTEM,
            data=ProductCreate(brand_id=hot.brand_id, code="WARM", title="Warm-up item"),
        )
        sku = catalog_service.create_sku(
            session=session, scope=SYSTEM, product_id=product.id, data=SkuCreate(code="WARM1")
        ).id
        catalog_service.create_offer(
            session=session, scope=SYSTEM, data=OfferCreate(sku_id=sku, price=PRICE)
        )
        receipt = ReceiptCreate.model_validate(
            {
                "kind": "receipt",
                "location_id": hot.store_id,
                "lines": [{"sku_id": sku, "quantity": max(units, 1)}],
            }
        )
        inventory_service.record_movements(session=session, scope=SYSTEM, data=receipt)
    return sku


def _expect(answer: Answer, statuses: tuple[int, ...]) -> None:
    if answer.status not in statuses:
        raise SystemExit(f"unexpected {answer.status}: {answer.body[:300]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--buyers", type=int, default=300)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--request-threads",
        type=int,
        default=Settings.model_fields["request_threads"].default,
        help="requests each server process runs at once in threads (the setting's default)",
    )
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--two-step", action="store_true", help="checkout, then pay")
    parser.add_argument(
        "--warm-up", type=int, default=128, help="untimed purchases of another SKU first"
    )
    parser.add_argument("--rounds", type=int, default=3, help="sales, each on a store of its own")
    args = parser.parse_args()
    os.environ["NEWRETAIL_SECRET_KEY"] = SECRET
    configure_logging(level="WARNING", json=False)
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url(tmp)
        database = Database(url)
        Base.metadata.create_all(database.engine)
        hot, consumers = build_world(database, args.units, args.buyers + args.warm_up)
        sales = [hot, *(hot_store(database, args.units) for _ in range(args.rounds - 1))]
        warm_sku = warm_up_sku(database, hot, args.warm_up)
        tokens = [auth_service.issue_consumer_token(consumer_id=c)[0] for c in consumers]
        settle(database)
        # A connection per client thread for the bare loop, as the server's pools have,
        # opened beforehand.
        anchor = Database(url, pool_size=args.clients, max_overflow=0)
        opened = [anchor.engine.raw_connection() for _ in range(args.clients)]
        for raw in opened:
            raw.close()
        server = serve(url, args.port, args.workers, args.request_threads)
        warm_sold = 0
        clients = http_clients(args.port, args.clients)
        try:
            booted(server, args.workers)
            if args.warm_up:  # each worker's connections and copies, as a running server's
                warm = order_body(hot.store_id, warm_sku)
                buy = http_buyer(clients, warm, tokens[args.buyers :], False)
                warm_sold = run(args.warm_up, args.clients, buy)[1]
            # This process's objects (the world it built) are kept out of the collector's
            # sight: a full collection of them paused every client thread for a third of a
            # second, inside a run, at the round it happened to fall in.
            gc.collect()
            gc.freeze()
            for n, sale in enumerate(sales):
                body = order_body(sale.store_id, sale.service_sku)
                buy = http_buyer(clients, body, tokens, args.two_step)
                served = run(args.buyers, args.clients, buy)
                settle(database)  # the server waits for its next buyer meanwhile
                with bare_buyer(anchor, sale, consumers) as bare:
                    bare_run = run(args.buyers, args.clients, bare)
                settle(database)
                counts = sold_units(database, sale)
                counts["paid"] -= warm_sold if n == 0 else 0  # the warm-up's, of another SKU
                rounds.append(one_round(args.units, args.buyers, served, bare_run, counts))
        finally:
            for client in clients:
                client.close()
            stop(server)
        anchor.dispose()
        backend = database.engine.dialect.name
        database.dispose()
    middle = sorted(rounds, key=lambda r: r["share_of_bare"])[len(rounds) // 2]
    result = {
        "benchmark": "flash_sale_http",
        "backend": backend,
        "flow": "two_step" if args.two_step else "purchase",
        "workers": args.workers,
        "request_threads": args.request_threads,
        "clients": args.clients,
        "buyers": args.buyers,
        "units": args.units,
        "rounds": args.rounds,
        "oversold": sum(r["oversold"] for r in rounds),
        **{key: value for key, value in middle.items() if key != "oversold"},
        "shares_of_bare": [r["share_of_bare"] for r in rounds],
    }
    assert result["oversold"] == 0
    print(json.dumps(result), flush=True)


def one_round(
    units: int,
    buyers: int,
    served: tuple[float, int, list[float]],
    bare: tuple[float, int, list[float]],
    counts: dict[str, int],
) -> dict[str, Any]:
    """One sale's figures: the service's run over HTTP and the bare loop's, side by side."""
    (seconds, sold, latencies), (bare_seconds, bare_sold, bare_latencies) = served, bare
    oversold = max(0, counts["paid"] - units) + max(0, -counts["service_on_hand"])
    oversold += max(0, bare_sold - units) + max(0, -counts["anchor_on_hand"])
    assert sold == bare_sold == units == counts["paid"] == counts["journal"], counts
    rate, bare_rate = buyers / seconds, buyers / bare_seconds
    return {
        "oversold": oversold,
        "orders_paid": sold,
        "orders_per_s": round(sold / seconds, 1),
        "buyers_per_s": round(rate, 1),
        "p99_ms": round(statistics.quantiles(latencies, n=100)[98], 2),
        "bare_orders_per_s": round(bare_sold / bare_seconds, 1),
        "bare_buyers_per_s": round(bare_rate, 1),
        "bare_p99_ms": round(statistics.quantiles(bare_latencies, n=100)[98], 2),
        "share_of_bare": round(rate / bare_rate, 3),
    }


if __name__ == "__main__":
    main()

"""ClickHouse's HTTP interface in front of ClickHouse in-process (chdb), on a port of
``NEWRETAIL_TEST_PORTS``: a test points ``analytics_clickhouse_url`` at it and the app talks
to it as to a server, through ``HttpClickHouseClient``."""

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from newretail.analytics.warehouse.clickhouse import ChdbClient, ClickHouseError
from tests.ports import free_port, serving_thread
from tests.warehouse_builders import engine_available


class _Interface(BaseHTTPRequestHandler):
    engine: ChdbClient  # set on the server's subclass

    def do_POST(self) -> None:
        sql = self.rfile.read(int(self.headers["Content-Length"])).decode()
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        params = {
            k.removeprefix("param_"): v[0] for k, v in query.items() if k.startswith("param_")
        }
        try:
            doc = self.engine.run(sql, params)
        except ClickHouseError as exc:
            self._answer(500, str(exc).encode(), {"X-ClickHouse-Exception-Code": str(exc.code)})
            return
        self._answer(200, b"" if doc is None else json.dumps(doc).encode(), {})

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def clickhouse_server() -> Iterator[str]:
    """A "ClickHouse server" with a database of its own; yields its URL."""
    engine_available("clickhouse")
    database = f"served_{uuid.uuid4().hex}"
    engine = ChdbClient(database=database)
    interface = type("Interface", (_Interface,), {"engine": engine})
    server = HTTPServer(("127.0.0.1", free_port()), interface)
    thread = serving_thread(server)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        engine.drop_database(database)
        engine.close()

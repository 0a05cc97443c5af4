"""A webhook receiver for tests: a threaded HTTP server on 127.0.0.1 that checks signatures.

It records every arrival (event id, resource, whether the signature was valid). It can
hold the n-th request unanswered until released, so a test can kill the sender while a
delivery is in flight, and it can answer the first arrival of every k-th event with 503,
so retries are exercised.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tests.ports import serving_thread

from newretail.integrations.rules import verify_signature


@dataclass(frozen=True)
class Arrival:
    event_id: str
    type: str
    resource: tuple[str, str]
    valid: bool


class Receiver:
    def __init__(self, *, hold_request: int | None = None, fail_every: int | None = None):
        self.secret = ""
        self.hold_request = hold_request
        self.fail_every = fail_every
        self.arrivals: list[Arrival] = []
        self.held = threading.Event()
        self.release = threading.Event()
        self._seen: set[str] = set()
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = serving_thread(self._server)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def received_ids(self) -> set[str]:
        with self._changed:
            return {a.event_id for a in self.arrivals}

    def wait_for(self, event_ids: set[str], timeout: float) -> bool:
        """Wait until every id in ``event_ids`` has arrived at least once."""
        deadline = time.monotonic() + timeout
        with self._changed:
            return self._changed.wait_for(
                lambda: event_ids <= {a.event_id for a in self.arrivals},
                timeout=max(0.0, deadline - time.monotonic()),
            )

    def _arrive(self, headers: Any, body: bytes) -> tuple[int, bool]:
        """Record one request; the status to answer and whether to hold the answer."""
        event_id = headers.get("Webhook-Id", "")
        valid = verify_signature(
            secret=self.secret,
            event_id=event_id,
            timestamp=headers.get("Webhook-Timestamp", ""),
            body=body,
            signature=headers.get("Webhook-Signature", ""),
        )
        envelope = json.loads(body)
        resource = (envelope["resource"]["type"], envelope["resource"]["id"])
        with self._changed:
            self.arrivals.append(Arrival(event_id, envelope["type"], resource, valid))
            first_time = event_id not in self._seen
            self._seen.add(event_id)
            fail = bool(self.fail_every and first_time and len(self._seen) % self.fail_every == 0)
            hold = len(self.arrivals) == self.hold_request
            self._changed.notify_all()
        return (503 if fail else 200 if valid else 400), hold

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, hold = receiver._arrive(self.headers, body)
                if hold:
                    receiver.held.set()
                    receiver.release.wait(60)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (killed mid-delivery): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler

"""The real app served by uvicorn in a background thread, for the browser tests."""

import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from tests import builders

from newretail.app import create_app
from newretail.auth.models import Staff
from newretail.config import Settings
from newretail.db import Database
from newretail.models import Base

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # A page left is not kept alive for going back, nor is each navigation given a new
    # frame host, nor is the first paint held back: the tests never go back, and these cost
    # the renderers about a quarter of their CPU over the page tour.
    "--disable-features=PaintHolding,RenderDocument,BackForwardCache",
    "--disable-extensions",
    "--mute-audio",
]


def _bound_socket() -> socket.socket:
    """A socket on 127.0.0.1: a free port, or the first free one of
    ``NEWRETAIL_TEST_PORTS`` ("8100-8199") on a machine where ports are shared out."""
    wanted = os.environ.get("NEWRETAIL_TEST_PORTS", "")
    first, _, last = wanted.partition("-")
    ports = range(int(first), int(last or first) + 1) if first else range(0, 1)
    for port in ports:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        return sock
    raise RuntimeError(f"no free port in {wanted}")


class LiveServer:
    """Serves a fresh SQLite database on 127.0.0.1 and a free port until ``stop``."""

    def __init__(self, directory: Path) -> None:
        self.database = Database(f"sqlite:///{directory / 'app.db'}")
        Base.metadata.create_all(self.database.engine)
        settings = Settings(database_url=self.database.url, log_json=False, log_level="WARNING")
        app = create_app(settings, self.database)
        self.app = app
        self._socket = _bound_socket()
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_config=None, access_log=False, ws="none", http="h11")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()
        self.database.dispose()


@dataclass
class App:
    """The served app and the people in it."""

    server: LiveServer
    world: builders.BrandWorld
    platform_admin: Staff

    @property
    def url(self) -> str:
        return self.server.url

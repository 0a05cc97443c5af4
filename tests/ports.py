"""Ports for servers that tests start: inside ``NEWRETAIL_TEST_PORTS`` when that is set."""

import os
import random
import socket
import socketserver
import threading


def free_port() -> int:
    """A free port; inside ``NEWRETAIL_TEST_PORTS`` ("8200-8299") when that is set."""
    span = os.environ.get("NEWRETAIL_TEST_PORTS")
    if not span:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])
    first, last = (int(p) for p in span.split("-"))
    ports = list(range(first, last + 1))
    start = random.randrange(len(ports))  # parallel test processes rarely try the same
    for port in ports[start:] + ports[:start]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError(f"no free port in {span}")


# How often a test server's loop looks for shutdown: ``serve_forever``'s default of half a
# second is what each ``shutdown()`` would wait, after every test that started a server.
POLL_SECONDS = 0.02


def serving_thread(server: socketserver.BaseServer) -> threading.Thread:
    """A daemon thread serving ``server`` until its ``shutdown()``, which returns promptly."""
    return threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )

"""Ports for servers that tests start: inside ``NEWRETAIL_TEST_PORTS`` when that is set."""

import os
import random
import socket


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

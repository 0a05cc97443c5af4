"""Reaching the optional services: skip without them, fail when CI requires them."""

import os
import socket

import pytest

REQUIRED = os.environ.get("NEWRETAIL_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> None:
    """Skip the test, or fail it when NEWRETAIL_REQUIRE_SERVICES=1."""
    if REQUIRED:
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def postgres_url() -> str:
    url = os.environ.get("NEWRETAIL_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        unavailable("NEWRETAIL_TEST_DATABASE_URL is not set to a PostgreSQL URL")
    return url


def nats_url() -> str:
    url = os.environ.get("NEWRETAIL_TEST_NATS_URL", "")
    if not url:
        unavailable("NEWRETAIL_TEST_NATS_URL is not set")
    host_port = url.split("://", 1)[-1].rsplit("@", 1)[-1]
    host, _, port = host_port.partition(":")
    if not port_open(host, int(port or 4222)):
        unavailable(f"NATS is not answering at {url}")
    return url


def chromium_path() -> str:
    path = os.environ.get("NEWRETAIL_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        unavailable(f"Chromium not found at {path} (apt-get install -y chromium)")
    return path

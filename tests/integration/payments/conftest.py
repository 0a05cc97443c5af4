from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.payment_fakes.world import WalletWorld, wallet_world

from newretail.db import Database


@pytest.fixture
def wallets(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WalletWorld]:
    """A brand taking WeChat Pay and Alipay through local fakes of their APIs."""
    with wallet_world(database, tmp_path, monkeypatch) as world:
        yield world

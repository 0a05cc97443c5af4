from collections.abc import Iterator

import pytest
from tests.passwords import cheap_hashing


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    with cheap_hashing():
        yield

from collections.abc import Iterator

import pytest
from tests.passwords import cheap_hashing


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Staff built for these tests never log in; strong hashing would only cost seconds."""
    with cheap_hashing():
        yield

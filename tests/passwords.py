"""Cheap password hashing for tests that create many accounts.

Production hashing is deliberately slow (argon2 defaults, about 0.1 s a password). Hashes
made with these cheap parameters still verify with the production hasher, because argon2
stores its parameters inside each hash.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher

from newretail.auth import security


@contextmanager
def cheap_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        )
        yield

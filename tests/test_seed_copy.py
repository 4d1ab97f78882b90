"""The repository's copy of the seed is the seed, byte for byte (its text is never changed)."""
from __future__ import annotations

import hashlib

from tests.support.seed import SEED_COPY, SEED_SHA256, original_seed_path


def test_the_copy_is_the_seed_unchanged():
    data = SEED_COPY.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256
    original = original_seed_path()
    if original is not None:  # beside the checkout: the copy equals the original
        assert original.read_bytes() == data

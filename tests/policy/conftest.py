from __future__ import annotations

from pathlib import Path

import pytest

from rongcuo.policy import Library, load_policy_file

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def library() -> Library:
    return Library.default()


@pytest.fixture(scope="session")
def demo_policy():
    return load_policy_file(FIXTURES / "demo-county.yaml")

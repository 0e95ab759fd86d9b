from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Sandbox
from tests.fuzz.app import FuzzedApp, fuzzed_app


@pytest.fixture(scope="package")
def app(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzedApp]:
    """One `clickbot web` process for every fuzz test: starting one takes seconds."""
    home: Path = tmp_path_factory.mktemp("fuzzed-app")
    with fuzzed_app(sandbox, home) as running:
        yield running

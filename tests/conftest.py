"""Fixtures shared by the harness's tests."""
import pytest

from harness import settings


@pytest.fixture
def run_settings():
    """``run_settings(**changes)``: this process's run settings (harness/settings.py) with
    ``changes`` for one test, e.g. ``run_settings(results=tmp_path, run_id="r")``; restored after."""
    before = settings.current()
    yield lambda **changes: settings.activate(before.replace(**changes))
    settings.activate(before)

"""The suite's pytest plugin lives in harness/plugin.py (the judge fixture, the hooks
that record every claim's outcome, the scoreboards, the baseline check)."""
pytest_plugins = ["harness.plugin"]

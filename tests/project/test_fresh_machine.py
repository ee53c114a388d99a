"""A newcomer's `make test`: without Chromium the browser tests skip outside CI and fail in CI; nothing outside the
repository is read."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def run_browser_tests(**env: str) -> subprocess.CompletedProcess:
    """``pytest tests/browser`` in a fresh process, on a machine where Chromium is not where the tests look for it."""
    clean = {name: value for name, value in os.environ.items() if name not in ("CI", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/browser", "-q", "-p", "no:cacheprovider"],
        cwd=settings.BASE_DIR,
        env={**clean, "SAKIP_CHROMIUM": "/nonexistent/chromium", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_it_skips_the_browser_tests_with_a_reason_when_chromium_is_missing():
    result = run_browser_tests()
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ skipped in [\d.]+s", summary), result.stdout
    reasons = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert reasons, result.stdout
    for line in reasons:
        # One line that says what is missing and what to do about it.
        assert "Chromium not found at /nonexistent/chromium" in line, line
        assert "SAKIP_CHROMIUM" in line, line


def test_it_fails_the_browser_tests_in_ci_when_chromium_is_missing():
    result = run_browser_tests(CI="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "skipped" not in result.stdout.strip().splitlines()[-1]
    assert "passed" not in result.stdout.strip().splitlines()[-1]
    assert "Skipped in CI, which counts as a failure: " in result.stdout
    assert "Chromium not found at /nonexistent/chromium" in result.stdout


def test_it_reads_nothing_outside_the_repository():
    """A fresh clone has no sibling folders: no code or test may reach past the repository's root."""
    root = settings.BASE_DIR
    reaching_out = re.compile(r"BASE_DIR\.parent\b|parents\[(\d+)\]|\.\./shared|/work/")
    found = []
    for folder in ("sakip", "tests", "bench"):
        for path in sorted((root / folder).rglob("*.py")):
            if path == Path(__file__):
                continue
            # parents[n] of a file n folders deep is the repository's root; one more is outside it.
            depth = len(path.relative_to(root).parts) - 1
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for match in reaching_out.finditer(line):
                    if match.group(1) is None or int(match.group(1)) > depth:
                        found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []

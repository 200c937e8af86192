"""`make run` installs only what running the portal needs; `make test` adds the test tools."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(target: str, folder: Path) -> list[str]:
    """The commands `make <target>` would run on a machine with no .venv yet."""
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "constraints.txt"):
        shutil.copy(ROOT / name, folder / name)
    # Not as a sub-make of `make test`, which would print "Entering directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return result.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_installs_the_runtime_requirements_only(tmp_path):
    commands = dry_run("run", tmp_path)

    installs = [c for c in commands if "pip install" in c and "--upgrade pip" not in c]
    assert installs == [".venv/bin/pip install --quiet -r requirements.txt -c constraints.txt"]
    assert commands[-1] == "PORT=8000 scripts/run.sh"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_adds_the_test_tools(tmp_path):
    commands = dry_run("test", tmp_path)

    installs = [c for c in commands if "pip install" in c and "--upgrade pip" not in c]
    assert installs == [
        ".venv/bin/pip install --quiet -r requirements.txt -c constraints.txt",
        ".venv/bin/pip install --quiet -r requirements-dev.txt -c constraints.txt",
    ]
    assert commands[-1] == "scripts/test.sh"


def test_the_runtime_requirements_hold_no_test_tool():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for tool in (
        "pytest",
        "factory-boy",
        "faker",
        "ruff",
        "playwright",
        "hypothesis",
        "import-linter",
    ):
        assert f"\n{tool}" not in runtime, tool

"""`make run` installs only what running the portal needs; `make test` adds the test tools."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def make(folder: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    """`make <arguments>` in a folder holding a copy of the Makefile and requirements."""
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "constraints.txt"):
        shutil.copy(ROOT / name, folder / name)
    # Not as a sub-make of `make test`, which would print "Entering directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        check=check,
        env=env,
    )


def dry_run(target: str, folder: Path, *variables: str) -> list[str]:
    """The commands `make <target>` would run on a machine with no .venv yet."""
    return make(folder, "-n", target, *variables).stdout.splitlines()


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


RUNTIME_INSTALL = [".venv/bin/pip install --quiet -r requirements.txt -c constraints.txt"]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_backup_installs_the_runtime_requirements_and_backs_up(tmp_path):
    commands = dry_run("backup", tmp_path)

    installs = [c for c in commands if "pip install" in c and "--upgrade pip" not in c]
    assert installs == RUNTIME_INSTALL
    assert commands[-1] == ".venv/bin/python manage.py backup"
    assert dry_run("backup", tmp_path, "BACKUP=/srv/backups/portal.tar")[-1] == (
        '.venv/bin/python manage.py backup --output "/srv/backups/portal.tar"'
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_restore_restores_the_archive_named(tmp_path):
    commands = dry_run("restore", tmp_path, "BACKUP=/srv/backups/portal.tar")

    installs = [c for c in commands if "pip install" in c and "--upgrade pip" not in c]
    assert installs == RUNTIME_INSTALL
    assert commands[-1] == '.venv/bin/python manage.py restore "/srv/backups/portal.tar"'
    assert dry_run("restore", tmp_path, "BACKUP=portal.tar", "FORCE=1")[-1] == (
        '.venv/bin/python manage.py restore "portal.tar" --force'
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_restore_without_an_archive_says_how(tmp_path):
    # -o: the virtual environment counts as made, so only the restore's own recipe runs.
    result = make(tmp_path, "-o", ".venv/.installed-run", "restore", check=False)

    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "Name the archive: make restore BACKUP=var/backups/svd-portal-….tar"
    )
    assert result.stdout == ""


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

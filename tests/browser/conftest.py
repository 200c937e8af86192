"""Browser tests: Playwright driving Debian's Chromium against Django's live server on
PostgreSQL, with a real Celery worker on the real Redis. Every page a journey visits is
checked with axe-core; screenshots go to var/screenshots/<journey>/ (outside git)."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group

from partners.enums import Role
from svd_portal import celery_app
from tests.decisions.documents_helpers import point_celery_at

# Playwright's sync API runs an event loop in this thread; Django's ORM must allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def roles(transactional_db):
    """The role groups the migrations make: a committing test before may have flushed them."""
    for role in Role:
        Group.objects.get_or_create(name=role)


class Checker:
    """Runs axe-core on the page and keeps a screenshot, numbered in visiting order."""

    def __init__(self, journey: str):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.folder = SCREENSHOTS / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page, name: str, *, exclude: tuple[str, ...] = ()) -> None:
        """`exclude`: CSS selectors of parts of the page axe leaves out (third-party markup)."""
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{slug}.png"), full_page=True)
        context = {"exclude": [[selector] for selector in exclude]} if exclude else None
        results = self.axe.run(page, context=context)
        violations = [
            v for v in results.response["violations"] if WCAG_TAGS & set(v.get("tags", []))
        ]
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
            for v in violations
        ]
        assert not problems, f"Accessibility problems on {name} ({page.url}):\n" + "\n".join(
            problems
        )


@pytest.fixture
def check(request):
    return Checker(request.node.name.removeprefix("test_"))


# A Redis database of the journeys' own, so that their worker takes no one else's tasks.
JOURNEY_REDIS_DB = 11


@pytest.fixture
def broker():
    """The Celery app's broker for a journey that runs a worker: emptied before and after."""
    assert settings.REDIS_URL, "this journey needs REDIS_URL (make test sets it)"
    url = f"redis://{urlsplit(settings.REDIS_URL).netloc}/{JOURNEY_REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    before = celery_app.conf.broker_url
    point_celery_at(url)
    yield url
    point_celery_at(before)
    client.flushdb()
    client.close()

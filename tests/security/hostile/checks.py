"""The checks every hostile post and query string goes through.

A hostile post is judged the same way whatever form it goes to: never a 500; a refusal
(4xx, a page with the GOV.UK error summary, or a redirect carrying an error message)
leaves every table's row count and the objects the form would edit as they were; and
no page ever carries one of PAYLOADS unescaped. A form that refused every post would
pass all that, so each test must also see a valid post accepted (`hostile`, the floor).
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.messages import ERROR, get_messages
from django.db import connection, transaction
from django.db.models import Model
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from .strategies import UNESCAPED, csrf_case

# The audit trail: a line for each sign-in attempt and each private download.
AUDIT_TABLE = "svd_portal_auditevent"
# Rows that a sign-in writes whatever the outcome: django-axes records every attempt
# (that is how it throttles), and signing in makes a session.
SIGN_IN_TABLES = frozenset(
    {
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accesslog",
        "axes_accessfailurelog",
        "django_session",
        # and the audit trail records the attempt, as it records every download.
        AUDIT_TABLE,
    }
)


def _tables() -> list[str]:
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


def table_counts(ignore: Iterable[str] = ()) -> dict[str, int]:
    """COUNT(*) of every table of every model, in one query (n_live_tup is an estimate)."""
    tables = [t for t in _tables() if t not in set(ignore)]
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT %s, COUNT(*) FROM {qn(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


def snapshot(obj: Model) -> dict | None:
    """Every column of the object's row and the ids of its many-to-many links, or None if gone."""
    model = type(obj)
    row = model._base_manager.filter(pk=obj.pk).values().first()
    if row is None:
        return None
    fresh = model._base_manager.get(pk=obj.pk)
    for m2m in model._meta.many_to_many:
        row[m2m.name] = sorted(getattr(fresh, m2m.name).values_list("pk", flat=True))
    return row


def assert_escaped(response, where: str = "") -> None:
    body = response.content.decode("utf-8", errors="replace")
    match = UNESCAPED.search(body)
    assert match is None, (
        f"unescaped markup on {where or response.request['PATH_INFO']}: "
        f"…{body[max(0, match.start() - 120) : match.end() + 60]}…"
    )


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= ERROR]


def verdict(response, refusal_marks=(b"govuk-error-summary",)) -> str:
    """Whether the post was "refused" or "accepted"; fails on a 500, or on a page that
    refuses without saying why."""
    status = response.status_code
    assert status < 500, f"{status} from {response.request['PATH_INFO']}"
    if status >= 400:
        return "refused"
    if 300 <= status < 400:
        return "refused" if error_messages(response) else "accepted"
    assert any(mark in response.content for mark in refusal_marks), (
        f"{status} without an error summary: a refused post must say what is wrong"
    )
    return "refused"


def _diff(before: dict, after: dict) -> dict:
    return {
        k: (before.get(k), after.get(k))
        for k in before.keys() | after.keys()
        if before.get(k) != after.get(k)
    }


@dataclass
class Post:
    """One hostile post: where, as whom, what it would edit, and what to check if accepted."""

    url: str
    data: dict
    user: Model | None = None
    watch: Iterable[Model] = ()
    ignore_tables: frozenset = frozenset()
    csrf: str = "ok"
    accepted: Callable | None = None
    follow: bool = True
    prepare: Callable | None = field(default=None, repr=False)
    refusal_marks: tuple = (b"govuk-error-summary",)


def _client(csrf: str) -> tuple[Client, dict]:
    """A client for one post, and what to add to the post for its CSRF case.

    "ok": checks off (as the rest of the suite posts). "missing": no cookie, no token.
    "forged": a real cookie, a made-up token. "other": the cookie of one secret, the
    token of another.
    """
    if csrf == "ok":
        return Client(), {}
    client = Client(enforce_csrf_checks=True)
    if csrf == "missing":
        return client, {}
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    if csrf.startswith("forged:"):
        return client, {"csrfmiddlewaretoken": csrf.removeprefix("forged:")}
    return client, {"csrfmiddlewaretoken": _mask_cipher_secret(_get_new_csrf_string())}


def check_post(post: Post) -> str:
    """Posts once inside a savepoint that is always rolled back, and checks the result."""
    with transaction.atomic():
        client, extra = _client(post.csrf)
        if post.user is not None:
            client.force_login(post.user)
        if post.prepare is not None:
            post.prepare(client)
        watch = list(post.watch)
        counts = table_counts(post.ignore_tables)
        rows = [snapshot(obj) for obj in watch]
        response = client.post(post.url, {**post.data, **extra})
        assert_escaped(response)
        if post.csrf != "ok":
            # Django refuses a body it cannot parse (say a 1,000-character part header)
            # with its bare 400 before any view or CSRF check: that is a refusal too.
            unparsed = response.status_code == 400 and b"Bad Request (400)" in response.content
            assert response.status_code == 403 or unparsed, (
                f"{response.status_code} with CSRF {post.csrf!r}"
            )
            result = "refused"
        else:
            result = verdict(response, post.refusal_marks)
        if result == "refused":
            after = table_counts(post.ignore_tables)
            assert after == counts, f"refused, yet rows changed: {_diff(counts, after)}"
            for obj, row in zip(watch, rows, strict=True):
                now = snapshot(obj)
                assert now == row, f"refused, yet {obj!r} changed: {_diff(row or {}, now or {})}"
        else:
            if post.accepted is not None:
                post.accepted(response, client)
            if post.follow and response.status_code in (301, 302, 303):
                page = client.get(response["Location"])
                assert page.status_code < 500, f"{page.status_code} from {response['Location']}"
                assert_escaped(page)
        transaction.set_rollback(True)
    # --hypothesis-show-statistics tells how many posts each test had accepted and refused.
    event(result if post.csrf == "ok" else "refused: CSRF")
    if _tally is not None:
        _tally.count(result)
    return result


def check_form(data, url: str, posted: dict, user=None, watch=(), accepted=None, **post) -> str:
    """check_post() of a post to a form, now and then with a missing or forged CSRF token."""
    return check_post(
        Post(url, posted, user, watch, csrf=data.draw(csrf_case()), accepted=accepted, **post)
    )


def check_get(client: Client, url: str, params: dict) -> None:
    """A GET with a hostile query string: below 500, escaped, and it writes nothing (but
    the audit trail's line for a download)."""
    with transaction.atomic():
        counts = table_counts([AUDIT_TABLE])
        response = client.get(url, params)
        assert response.status_code < 500, f"{response.status_code} from {url} {params!r}"
        if response.get("Content-Type", "").startswith(("text/html", "application/atom")):
            assert_escaped(response)
        assert table_counts([AUDIT_TABLE]) == counts, "a GET wrote to the database"
        transaction.set_rollback(True)


def page_shows(client: Client, url: str, *texts: str) -> None:
    """The page at `url` shows each text, escaped, and nothing unescaped."""
    page = client.get(url)
    assert page.status_code == 200, f"{page.status_code} from {url}"
    assert_escaped(page)
    body = page.content.decode()
    for text in texts:
        assert escape(text) in body, f"{text!r} is not shown (escaped) on {url}"


@dataclass
class Tally:
    """What the posts of one run of a hostile test came to."""

    posts: int = 0
    accepted: int = 0

    def count(self, result: str) -> None:
        self.posts += 1
        self.accepted += result == "accepted"


_tally: Tally | None = None  # the run under way


def hostile(examples: int):
    """The Hypothesis settings of every hostile-input test: reproducible (derandomized),
    no deadline (pages render in tens of milliseconds, sometimes more), no example
    database, fixtures shared across examples (each example runs in a savepoint).

    And the floor: a test that posts must have had at least one post accepted (its
    `accepted` check run and passed) once Hypothesis is done, or it fails. Every
    refusal is checked to change nothing, so a form that refused everything would
    otherwise pass."""

    def decorate(test):
        @functools.wraps(test)
        def isolated(*args, **kwargs):
            # Objects an example makes for itself go with it.
            with transaction.atomic():
                test(*args, **kwargs)
                transaction.set_rollback(True)

        run = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=[
                HealthCheck.function_scoped_fixture,
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
            ],
        )(given(data=st.data())(isolated))

        @functools.wraps(run)
        def floored(*args, **kwargs):
            global _tally
            _tally = tally = Tally()
            try:
                run(*args, **kwargs)
            finally:
                _tally = None
            assert tally.accepted or not tally.posts, (
                f"{test.__name__}: none of its {tally.posts} posts was accepted; "
                "a form that refuses every post must not pass"
            )

        return floored

    return decorate

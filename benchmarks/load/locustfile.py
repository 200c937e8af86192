"""The people of the load benchmark, for Locust. benchmarks/load/run.py seeds the data,
writes what these users need to LOAD_SCENARIO (JSON) and runs Locust against gunicorn.

- Visitor: the public browsing and searching the register, reading records,
  downloading signed PDFs, and looking at the open funding rounds.
- Provider: signs in, then edits their draft application's project section.
- Panellist: signs in, then opens their round and saves draft scores.
- Minimal: requests a view that does nothing, for the ratio.

Think time comes from LOAD_WAIT ("1-3" seconds between a person's requests; "0" for
none, to find the server's capacity).
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, constant, task

with open(os.environ["LOAD_SCENARIO"]) as scenario_file:
    SCENARIO = json.load(scenario_file)
low, _, high = os.environ.get("LOAD_WAIT", "1-3").partition("-")
WAIT = between(float(low), float(high or low)) if float(high or low) else constant(0)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SCORE_FIELD = re.compile(r'name="score_(\d+)"')
_providers = itertools.count()
_panellists = itertools.count()


def csrf_token(response) -> str:
    match = CSRF.search(response.text)
    if not match:
        raise ValueError(f"No CSRF token on {response.url}")
    return match.group(1)


class SignedIn(HttpUser):
    abstract = True
    wait_time = WAIT

    def post_form(self, url: str, data: dict, *, page, name: str) -> None:
        """Posts a form with the CSRF token of the page it came from; anything but the
        redirect that follows a successful save counts as a failure."""
        data = {"csrfmiddlewaretoken": csrf_token(page), **data}
        with self.client.post(
            url, data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name} gave {response.status_code}")

    def sign_in(self, email: str) -> None:
        page = self.client.get("/accounts/login/", name="sign in (form)")
        self.post_form(
            "/accounts/login/",
            {"username": email, "password": SCENARIO["password"]},
            page=page,
            name="sign in",
        )


class Visitor(HttpUser):
    weight = 6
    wait_time = WAIT

    @task(3)
    def register(self):
        self.client.get("/decisions/", name="/decisions/")

    @task(2)
    def register_page(self):
        # People page on from the start: mostly the next few pages, now and then deep.
        last = SCENARIO["register_pages"]
        page = random.randint(2, 10) if random.random() < 0.9 else random.randint(11, last)
        self.client.get(f"/decisions/?page={page}", name="/decisions/?page=N")

    @task(3)
    def search(self):
        term = random.choice(SCENARIO["search_terms"])
        self.client.get(f"/decisions/?q={term}", name="/decisions/?q=…")

    @task(3)
    def record(self):
        reference = random.choice(SCENARIO["records"])
        self.client.get(f"/decisions/{reference}/", name="/decisions/<ref>/")

    @task(1)
    def pdf(self):
        reference = random.choice(SCENARIO["records_with_pdf"])
        with self.client.get(
            f"/decisions/{reference}/pdf/", name="/decisions/<ref>/pdf/", catch_response=True
        ) as response:
            if response.ok and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")

    @task(1)
    def funding(self):
        self.client.get("/funding/", name="/funding/")
        self.client.get(f"/funding/{SCENARIO['open_round']}/", name="/funding/<slug>/")


class Provider(SignedIn):
    weight = 2

    def on_start(self):
        me = SCENARIO["providers"][next(_providers) % len(SCENARIO["providers"])]
        self.reference = me["reference"]
        self.sign_in(me["email"])

    @task(1)
    def my_applications(self):
        self.client.get("/applications/", name="/applications/")
        self.client.get(f"/applications/{self.reference}/", name="/applications/<ref>/")

    @task(2)
    def edit_project(self):
        url = f"/applications/{self.reference}/project/"
        page = self.client.get(url, name="/applications/<ref>/project/")
        words = " ".join(random.choice(SCENARIO["words"]) for _ in range(40))
        self.post_form(
            url,
            {
                "title": f"Street sport and mentoring {random.randint(1, 999)}",
                "summary": words,
                "description": words + " " + words,
                "amount_requested": f"{random.randint(500, 5000)}",
            },
            page=page,
            name="/applications/<ref>/project/ (save)",
        )


class Panellist(SignedIn):
    weight = 2

    def on_start(self):
        panel = SCENARIO["panel"]
        self.slug = panel["slug"]
        me = panel["members"][next(_panellists) % len(panel["members"])]
        self.work = me["applications"]
        self.sign_in(me["email"])

    @task(1)
    def round_page(self):
        self.client.get(f"/panel/{self.slug}/", name="/panel/<slug>/")

    @task(3)
    def score(self):
        reference = random.choice(self.work)
        url = f"/panel/{self.slug}/applications/{reference}/"
        page = self.client.get(url, name="/panel/<slug>/applications/<ref>/")
        data = {"save_draft": "Save as draft"}
        for criterion in set(SCORE_FIELD.findall(page.text)):
            data[f"score_{criterion}"] = str(random.randint(0, 5))
            data[f"comment_{criterion}"] = "Clear link to the partnership's priorities."
        self.post_form(url, data, page=page, name="/panel/<slug>/applications/<ref>/ (save)")


class Minimal(HttpUser):
    wait_time = WAIT

    @task
    def minimal(self):
        self.client.get("/bench/minimal/", name="minimal view")

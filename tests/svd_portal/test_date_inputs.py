"""Every edit form with a date shows it as the browser's date input needs it (ISO, whatever
the locale), and saves unchanged when sent back as the page gave it."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from decisions.models import DecisionRecord
from svd_portal.forms import DateInput, DateTimeInput
from tests.dated_records import dated_round, deferred_draft, round_dates, saved_dates


class PageForms(HTMLParser):
    """The forms of a page as a browser would send them untouched: each a list of
    (name, value) pairs, with the type of each input beside it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = self._textarea = self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"pairs": [], "types": {}}
            self.forms.append(self._form)
        elif self._form is None or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            self._form["types"][attrs["name"]] = kind
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["pairs"].append((attrs["name"], attrs.get("value", "on")))
                return
            self._form["pairs"].append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "multiple": "multiple" in attrs, "chosen": []}
            self._select["first"] = None
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # A browser drops the newline that opens a textarea's content.
            self._form["pairs"].append((name, text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            self._form["pairs"].extend((self._select["name"], value) for value in chosen)
            self._select = None


def form_with(response, field: str) -> dict:
    """The page's form holding `field`, as {"data": {name: [values]}, "values", "types"}."""
    assert response.status_code == 200
    for form in PageForms(response.content.decode()).forms:
        if field in form["types"] or any(name == field for name, _ in form["pairs"]):
            data: dict[str, list[str]] = {}
            for name, value in form["pairs"]:
                data.setdefault(name, []).append(value)
            values = {name: values[0] for name, values in data.items()}
            return {"data": data, "values": values, "types": form["types"]}
    raise AssertionError(f"No form with {field} on the page")


def test_date_inputs_render_iso_whatever_the_locale():
    with translation.override("en-gb"):
        assert DateInput().format_value(datetime.date(2026, 12, 2)) == "2026-12-02"
        assert DateTimeInput().format_value(datetime.datetime(2026, 7, 2, 17, 0)) == (
            "2026-07-02T17:00"
        )
    assert (DateInput.input_type, DateTimeInput.input_type) == ("date", "datetime-local")


def test_decision_draft_edit_shows_iso_dates_and_saves_unchanged(staff_client, staff_user):
    record = deferred_draft(by=staff_user)
    deferred_until = record.deferred_until
    url = reverse("decisions:staff-edit", args=[record.pk])

    form = form_with(staff_client.get(url), "received_on")

    assert form["types"]["received_on"] == "date"
    assert form["values"]["received_on"] == "2026-12-02"
    assert form["types"]["deferred_until"] == "date"
    assert form["values"]["deferred_until"] == deferred_until.isoformat()

    response = staff_client.post(url, form["data"])

    assert response.status_code == 302
    assert response.url == reverse("decisions:staff-detail", args=[record.pk])
    record = DecisionRecord.objects.get(pk=record.pk)
    assert record.received_on == datetime.date(2026, 12, 2)
    assert record.deferred_until == deferred_until
    assert record.title == "Knife crime awareness campaign in schools"


@pytest.mark.parametrize("stages", ["single", "two"])
def test_round_edit_shows_iso_dates_and_saves_unchanged(staff_client, stages):
    two = stages == "two"
    funding_round = dated_round(two_stage=two, slug="violence-prevention-fund")
    url = reverse("grants:staff-round-edit", args=[funding_round.slug])

    form = form_with(staff_client.get(url), "delivery_starts_on")

    assert {name: form["types"][name] for name in ("delivery_starts_on", "delivery_ends_on")} == {
        "delivery_starts_on": "date",
        "delivery_ends_on": "date",
    }
    assert form["values"]["delivery_starts_on"] == "2026-12-02"
    assert form["values"]["delivery_ends_on"] == "2027-03-31"
    assert form["types"]["opens_at"] == "datetime-local"
    assert form["values"]["opens_at"] == "2026-01-05T09:00"
    # Summer time: 17:00 in London (16:00 UTC), as the form shows and takes it.
    assert form["values"]["closes_at"] == "2026-07-02T17:00"
    assert form["values"]["full_stage_closes_at"] == ("2026-08-03T12:30" if two else "")

    response = staff_client.post(url, form["data"])

    assert response.status_code == 302, response.context["form"].errors
    assert response.url == reverse("grants:staff-round-applications", args=[funding_round.slug])
    assert saved_dates(funding_round) == round_dates(two_stage=two)


def test_every_date_field_of_every_form_uses_the_iso_inputs():
    """A date field added later with Django's own DateInput would show the locale's
    02/12/2026, which a date input cannot show: each one uses the shared inputs."""
    from django import forms

    from decisions import forms as decision_forms
    from grants import forms as grant_forms
    from partners import forms as partner_forms

    found = []
    for module in (partner_forms, grant_forms, decision_forms):
        for form_class in vars(module).values():
            if not (isinstance(form_class, type) and issubclass(form_class, forms.BaseForm)):
                continue
            if not form_class.__module__.startswith(module.__name__):
                continue
            for name, field in form_class.base_fields.items():
                if isinstance(field, forms.DateTimeField):
                    found.append((form_class.__name__, name))
                    assert isinstance(field.widget, DateTimeInput), (form_class, name)
                elif isinstance(field, forms.DateField):
                    found.append((form_class.__name__, name))
                    assert isinstance(field.widget, DateInput), (form_class, name)
    assert ("DecisionRecordForm", "received_on") in found
    assert ("RoundForm", "delivery_starts_on") in found
    assert ("RoundForm", "opens_at") in found

"""The round form's criteria formset as a browser posts it."""

PREFIX = "criteria"


def criteria_data(rows: list[dict], *, initial: int = 0, total: int | None = None) -> dict:
    """The management form and one form per row; a row's keys are the criterion's fields
    (title, guidance, weight, scale_max, and DELETE to remove it)."""
    data = {
        f"{PREFIX}-TOTAL_FORMS": str(len(rows) if total is None else total),
        f"{PREFIX}-INITIAL_FORMS": str(initial),
        f"{PREFIX}-MIN_NUM_FORMS": "1",
        f"{PREFIX}-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{PREFIX}-{index}-{name}"] = value
    return data


def page_data(response) -> dict:
    """The round edit form as the page fills it in: the round's fields and the formset's,
    blank extra criteria included."""
    form, formset = response.context["form"], response.context["formset"]
    data = {}
    for bound_form in [form, formset.management_form, *formset.forms]:
        for name in bound_form.fields:
            value = bound_form[name].value()
            key = bound_form.add_prefix(name)
            if value is None or value is False:
                if name != "DELETE" and not isinstance(value, bool):
                    data[key] = ""
                continue
            if value is True:
                data[key] = "on"
            elif name == "priorities":
                data[key] = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "isoformat"):
                data[key] = (
                    value.strftime("%Y-%m-%dT%H:%M")
                    if hasattr(value, "hour")
                    else value.isoformat()
                )
            else:
                data[key] = value
    return data


def round_data(priorities, rows: list[dict], **overrides) -> dict:
    """A new round's form, valid apart from what `rows` and `overrides` say."""
    data = {
        "fund_name": "Violence Prevention Fund",
        "title": "Summer grants",
        "slug": "summer-grants",
        "reference_prefix": "SG25",
        "description": "Grants for the summer holidays.",
        "eligibility": "Voluntary organisations.",
        "how_to_apply": "Apply online.",
        "budget": "100000",
        "opens_at": "2030-06-01T09:00",
        "closes_at": "2030-06-30T17:00",
        "stages": "single",
        "full_stage_closes_at": "",
        "delivery_starts_on": "2030-07-01",
        "delivery_ends_on": "2031-03-31",
        "priorities": [p.pk for p in priorities],
        "unregistered_minimum": "0",
        "unregistered_maximum": "5000",
        "registered_minimum": "0",
        "registered_maximum": "40000",
        **criteria_data(rows),
    }
    data.update(overrides)
    return data

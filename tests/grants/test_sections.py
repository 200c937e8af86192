"""grants.sections.SECTIONS is the one list of an application's sections: the task list,
the section pages and the submission check all read it."""

import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from grants import services
from grants.models import Application
from grants.sections import EDITABLE_FIELDS, SECTIONS, SECTIONS_BY_SLUG, incomplete_sections
from tests.factories import complete_application

TITLES = [
    "About the project",
    "Priorities addressed",
    "Evidence base",
    "Who, where and with whom",
    "Intended outcomes",
    "Budget",
    "Supporting documents",
    "Declarations",
]


def _fresh(application):
    """The application as the pages load it, relations prefetched anew."""
    return Application.objects.prefetch_related(
        "priorities", "success_measures", "budget_lines"
    ).get(pk=application.pk)


def test_task_list_shows_every_section_in_order_with_its_link(provider_client, draft):
    page = provider_client.get(f"/applications/{draft.reference}/").content.decode()

    links = re.findall(
        r'<a class="govuk-link govuk-task-list__link" href="([^"]+)"[^>]*>([^<]+)</a>', page
    )
    assert [title for _, title in links] == [escape(title) for title in TITLES]
    assert [href for href, _ in links] == [
        f"/applications/{draft.reference}/project/",
        f"/applications/{draft.reference}/priorities/",
        f"/applications/{draft.reference}/evidence/",
        f"/applications/{draft.reference}/delivery/",
        f"/applications/{draft.reference}/outcomes/",
        f"/applications/{draft.reference}/budget/",
        f"/applications/{draft.reference}/attachments/",
        f"/applications/{draft.reference}/declarations/",
    ]
    assert [section.url(draft) for section in SECTIONS] == [href for href, _ in links]


def test_task_list_marks_only_the_incomplete_sections(provider_client, draft):
    complete_application(draft)
    draft.declare_safeguarding = False
    draft.save(update_fields=["declare_safeguarding"])

    page = provider_client.get(f"/applications/{draft.reference}/").content.decode()

    statuses = re.findall(r'id="status-([a-z]+)">\s*(.*?)\s*</div>', page, flags=re.S)
    assert [(slug, re.sub(r"<[^>]+>", "", status)) for slug, status in statuses] == [
        ("project", "Completed"),
        ("priorities", "Completed"),
        ("evidence", "Completed"),
        ("delivery", "Completed"),
        ("outcomes", "Completed"),
        ("budget", "Completed"),
        ("attachments", "Optional"),
        ("declarations", "Incomplete"),
    ]


def test_complete_application_has_no_incomplete_section(draft):
    assert incomplete_sections(_fresh(complete_application(draft))) == []


def _blank(application, slug):
    if slug == "project":
        application.summary = ""
    elif slug == "priorities":
        application.priorities.clear()
    elif slug == "evidence":
        application.evidence_description = "   "
    elif slug == "delivery":
        application.delivery_area = ""
    elif slug == "outcomes":
        application.success_measures.clear()
    elif slug == "budget":
        application.budget_lines.all().delete()
    elif slug == "declarations":
        application.declare_data_protection = False
    application.save()


@pytest.mark.parametrize(
    "slug",
    ["project", "priorities", "evidence", "delivery", "outcomes", "budget", "declarations"],
)
def test_incomplete_sections_names_exactly_the_one_missing(draft, slug):
    application = complete_application(draft)
    _blank(application, slug)

    assert incomplete_sections(_fresh(application)) == [SECTIONS_BY_SLUG[slug]]
    title = SECTIONS_BY_SLUG[slug].title
    assert services.submission_problems(_fresh(application), at=timezone.now()) == [
        (f"Complete the section ‘{title}’", slug, False)
    ]


def test_attachments_section_never_stops_submission(draft):
    application = _fresh(complete_application(draft))

    assert application.attachments.count() == 0
    assert SECTIONS_BY_SLUG["attachments"].is_complete(application) is True


@pytest.mark.parametrize("section", [s for s in SECTIONS if s.form], ids=lambda s: s.slug)
def test_section_page_shows_its_title_and_its_form(provider_client, draft, section):
    response = provider_client.get(section.url(draft))

    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-l">{escape(section.title)}</h1>' in response.content.decode()
    assert type(response.context["form"]) is section.form_class
    assert set(section.fields) <= set(response.context["form"].fields)
    assert set(section.relations) <= set(response.context["form"].fields)


def test_section_page_for_no_such_section_is_404(provider_client, draft):
    assert provider_client.get(f"/applications/{draft.reference}/nothing/").status_code == 404


@pytest.mark.parametrize(
    "slug, template",
    [
        ("budget", "grants/application_budget.html"),
        ("attachments", "grants/application_attachments.html"),
    ],
)
def test_sections_without_a_form_link_to_their_own_pages(provider_client, draft, slug, template):
    response = provider_client.get(SECTIONS_BY_SLUG[slug].url(draft))

    assert response.status_code == 200
    assert response.templates[0].name == template


def test_section_save_changes_only_its_own_fields(provider_client, draft):
    response = provider_client.post(
        f"/applications/{draft.reference}/delivery/",
        {
            "target_cohort": "Young people aged 11 to 17",
            "delivery_area": "Seaham",
            "partners_involved": "The youth justice service",
            "summary": "Not this section's field",
        },
    )

    assert response.status_code == 302
    saved = Application.objects.get(pk=draft.pk)
    assert (saved.target_cohort, saved.delivery_area, saved.partners_involved) == (
        "Young people aged 11 to 17",
        "Seaham",
        "The youth justice service",
    )
    assert saved.summary == draft.summary


def test_editable_fields_are_the_sections_fields():
    assert {name for section in SECTIONS for name in section.fields} == EDITABLE_FIELDS
    assert "title" in EDITABLE_FIELDS
    assert "status" not in EDITABLE_FIELDS

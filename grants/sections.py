"""The sections of an application form, defined once: each one's title, the form that
fills it in, the fields that form saves, and when the section is complete.

The task list, the section pages, the fields a draft may change and the submission check
all read SECTIONS, so they cannot disagree. A section's form is named by its dotted path
and imported when a page needs it: services read this module and never import forms.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.module_loading import import_string

# Field name -> the most words it may hold.
WORD_LIMITS = {
    "summary": 150,
    "description": 500,
    "evidence_description": 300,
    "target_cohort": 200,
    "delivery_area": 100,
    "partners_involved": 200,
    "outcomes": 300,
}


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text or ""))


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    # Whether the section holds everything submission needs. Uses prefetched relations.
    is_complete: Callable[..., bool]
    # The form of grants.forms that fills it in; a section without one has its own pages.
    form: str = ""
    # The application's own fields the form saves, and the many-to-many relations it sets
    # (each one a keyword argument of services.application_update).
    fields: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    # The form offers only what the application's round allows (it takes funding_round=).
    form_takes_round: bool = False
    url_name: str = "grants:application-section"
    optional: bool = False

    @property
    def form_class(self):
        return import_string(self.form)

    def url(self, application) -> str:
        if self.url_name == "grants:application-section":
            return reverse(self.url_name, args=[application.reference, self.slug])
        return reverse(self.url_name, args=[application.reference])


def _project_complete(a) -> bool:
    return bool(a.title and a.summary.strip() and a.description.strip())


def _evidence_complete(a) -> bool:
    return bool(
        (a.evidence_strand_id or a.evidence_other.strip()) and a.evidence_description.strip()
    )


def _delivery_complete(a) -> bool:
    return bool(a.target_cohort.strip() and a.delivery_area.strip() and a.partners_involved.strip())


def _outcomes_complete(a) -> bool:
    return bool(a.outcomes.strip() and len(a.success_measures.all()) > 0)


def _declarations_complete(a) -> bool:
    return bool(a.declare_accurate and a.declare_safeguarding and a.declare_data_protection)


SECTIONS = (
    Section(
        "project",
        "About the project",
        _project_complete,
        form="grants.forms.ProjectForm",
        fields=("title", "summary", "description"),
    ),
    Section(
        "priorities",
        "Priorities addressed",
        lambda a: len(a.priorities.all()) > 0,
        form="grants.forms.PrioritiesForm",
        relations=("priorities",),
        form_takes_round=True,
    ),
    Section(
        "evidence",
        "Evidence base",
        _evidence_complete,
        form="grants.forms.EvidenceForm",
        fields=("evidence_strand", "evidence_other", "evidence_description"),
    ),
    Section(
        "delivery",
        "Who, where and with whom",
        _delivery_complete,
        form="grants.forms.DeliveryForm",
        fields=("target_cohort", "delivery_area", "partners_involved"),
    ),
    Section(
        "outcomes",
        "Intended outcomes",
        _outcomes_complete,
        form="grants.forms.OutcomesForm",
        fields=("outcomes",),
        relations=("success_measures",),
    ),
    Section(
        "budget",
        "Budget",
        lambda a: len(a.budget_lines.all()) > 0,
        url_name="grants:application-budget",
    ),
    Section(
        "attachments",
        "Supporting documents",
        lambda a: True,
        url_name="grants:application-attachments",
        optional=True,
    ),
    Section(
        "declarations",
        "Declarations",
        _declarations_complete,
        form="grants.forms.DeclarationsForm",
        fields=("declare_accurate", "declare_safeguarding", "declare_data_protection"),
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
# What a draft's sections may change, and so all that services.application_update accepts.
EDITABLE_FIELDS = frozenset(name for section in SECTIONS for name in section.fields)


def incomplete_sections(application) -> list[Section]:
    return [section for section in SECTIONS if not section.is_complete(application)]

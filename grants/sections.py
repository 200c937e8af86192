"""The sections of an application form: what each holds, its word limits, and when it is complete.

Forms show these limits, services enforce them, and the task list and the
submission check both ask `incomplete_sections`, so they cannot disagree.
"""

import re
from dataclasses import dataclass

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


SECTIONS = [
    Section("project", "About the project"),
    Section("priorities", "Priorities addressed"),
    Section("evidence", "Evidence base"),
    Section("delivery", "Who, where and with whom"),
    Section("outcomes", "Intended outcomes"),
    Section("budget", "Budget"),
    Section("attachments", "Supporting documents"),
    Section("declarations", "Declarations"),
]
SECTION_SLUGS = [section.slug for section in SECTIONS]


def section_complete(application, slug: str) -> bool:
    """Whether a section holds everything submission needs. Uses prefetched relations."""
    a = application
    if slug == "project":
        return bool(a.title and a.summary.strip() and a.description.strip() and a.amount_requested)
    if slug == "priorities":
        return len(a.priorities.all()) > 0
    if slug == "evidence":
        return bool(
            (a.evidence_strand_id or a.evidence_other.strip()) and a.evidence_description.strip()
        )
    if slug == "delivery":
        return bool(
            a.target_cohort.strip() and a.delivery_area.strip() and a.partners_involved.strip()
        )
    if slug == "outcomes":
        return bool(a.outcomes.strip() and len(a.success_measures.all()) > 0)
    if slug == "budget":
        return len(a.budget_lines.all()) > 0
    if slug == "attachments":
        return True  # optional
    if slug == "declarations":
        return a.declare_accurate and a.declare_safeguarding and a.declare_data_protection
    raise ValueError(slug)


def incomplete_sections(application) -> list[Section]:
    return [s for s in SECTIONS if not section_complete(application, s.slug)]

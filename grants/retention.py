"""What grants keeps for how long (svd_portal/retention.py): expressions of interest and
applications not funded, from the round's closing; funded applications and their delivery,
from the award's end. They are anonymised, not deleted: what people wrote about themselves
and their work, the contact's details, their files and the field history of those go; the
reference, organisation, amounts, statuses, scores and every money record stay, and so does
what the grants register publishes (the title, the summary, the award itself).

It also says when a person may not close their account (partners/closing.py): while they are
the only member of an organisation whose application or grant is in progress, the OPCC
must be able to reach someone about it."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from partners import closing
from partners.enums import MembershipStatus
from partners.models import Membership, Organisation
from svd_portal.retention import Schedule, register

from .enums import ApplicationStatus, AwardStatus, Stage
from .models import (
    Application,
    Attachment,
    AwardStatusChange,
    BudgetLine,
    DiligenceCheck,
    MonitoringReturn,
    ReturnAttachment,
)

# What a person wrote, or who they are, on an application. The title and summary stay on a
# funded one, as the grants register publishes them.
APPLICATION_WORDS = [
    "contact_name",
    "contact_email",
    "contact_address",
    "description",
    "evidence_other",
    "evidence_description",
    "target_cohort",
    "delivery_area",
    "partners_involved",
    "outcomes",
]
RETURN_WORDS = ["narrative", "case_study", "risks"]

NOT_FUNDED = [
    ApplicationStatus.DRAFT,
    ApplicationStatus.INELIGIBLE,
    ApplicationStatus.NOT_INVITED,
    ApplicationStatus.NOT_RECOMMENDED,
    ApplicationStatus.DECLINED,
    ApplicationStatus.WITHDRAWN,
]
ENDED = [AwardStatus.CLOSED, AwardStatus.WITHDRAWN, AwardStatus.CLAWED_BACK]


def _held():
    return Application.objects.filter(anonymised_at__isnull=True)


def _after_round(applications, until):
    return applications.annotate(
        retention_from=Coalesce("round__full_stage_closes_at", "round__closes_at")
    ).filter(retention_from__lte=until)


def expressions_of_interest(until):
    return _after_round(_held().filter(stage=Stage.EOI), until)


def not_funded(until):
    return _after_round(_held().filter(stage=Stage.FULL, status__in=NOT_FUNDED), until)


def funded(until):
    """Funded applications whose award ended (closed, withdrawn or clawed back) by `until`,
    the clock started by the status change that ended it."""
    ended_at = (
        AwardStatusChange.objects.filter(
            award=OuterRef("award"), to_status=OuterRef("award__status")
        )
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return (
        _held()
        .filter(status=ApplicationStatus.AWARDED, award__status__in=ENDED)
        .annotate(retention_from=Subquery(ended_at))
        .filter(retention_from__lte=until)
    )


def _forget_history(model, pks) -> None:
    """The field history of these records holds what they said before: it goes too."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_pk__in=[str(pk) for pk in pks],
    ).delete()


def _delete_files(rows, field: str = "file") -> None:
    """Deletes the stored files of `rows` once the transaction commits."""
    for row in rows:
        stored = getattr(row, field)
        if stored:
            storage, name = stored.storage, stored.name
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _anonymise(applications, *, keep_summary: bool) -> int:
    pks = list(applications.values_list("pk", flat=True))
    words = APPLICATION_WORDS if keep_summary else [*APPLICATION_WORDS, "summary"]
    attachments = Attachment.objects.filter(application__in=pks)
    _delete_files(attachments)
    _forget_history(Attachment, attachments.values_list("pk", flat=True))
    attachments.delete()
    _forget_history(
        BudgetLine, BudgetLine.objects.filter(application__in=pks).values_list("pk", flat=True)
    )
    _forget_history(Application, pks)
    # An update, not save(): the field history would otherwise keep what is being removed.
    return Application.objects.filter(pk__in=pks).update(
        **dict.fromkeys(words, ""), anonymised_at=timezone.now()
    )


def anonymise_unfunded(applications) -> int:
    return _anonymise(applications, keep_summary=False)


def anonymise_funded(applications) -> int:
    """The application as for any other, and its delivery: the returns' words and files,
    and the due-diligence documents and notes (the award, its money and agreement stay)."""
    pks = list(applications.values_list("pk", flat=True))
    returns = MonitoringReturn.objects.filter(award__application__in=pks)
    files = ReturnAttachment.objects.filter(monitoring_return__in=returns)
    _delete_files(files)
    _forget_history(ReturnAttachment, files.values_list("pk", flat=True))
    files.delete()
    _forget_history(MonitoringReturn, returns.values_list("pk", flat=True))
    returns.update(**dict.fromkeys(RETURN_WORDS, ""))
    checks = DiligenceCheck.objects.filter(award__application__in=pks)
    _delete_files(checks)
    _forget_history(DiligenceCheck, checks.values_list("pk", flat=True))
    checks.update(file="", original_name="", content_type="", note="")
    return _anonymise(applications, keep_summary=True)


# Being decided. An invited expression of interest is done with: the full application
# that follows it carries the work.
IN_PROGRESS = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_ASSESSMENT,
    ApplicationStatus.RECOMMENDED,
]


def sole_member_of_work_in_progress(person) -> list[str]:
    """The organisations `person` alone speaks for that have an application being decided
    or a grant not yet ended."""
    theirs = Membership.objects.filter(user=person, status=MembershipStatus.ACTIVE)
    others = (
        Membership.objects.filter(status=MembershipStatus.ACTIVE, user__is_active=True)
        .exclude(user=person)
        .values("organisation")
    )
    alone = (
        Organisation.objects.filter(pk__in=theirs.values("organisation"))
        .exclude(pk__in=others)
        .order_by("name")
    )
    return [
        f"You are the only member of {organisation.name}, whose application or grant is in "
        "progress: ask another person there to join the organisation in the portal first"
        for organisation in alone
        if Application.objects.filter(organisation=organisation, status__in=IN_PROGRESS).exists()
        or organisation.awards.exclude(status__in=ENDED).exists()
    ]


ANONYMISED = "Anonymised: contact details, answers and files removed"


def connect() -> None:
    closing.register("grants", sole_member_of_work_in_progress)
    register(
        Schedule(
            key="expressions_of_interest",
            label="Expressions of interest",
            starts="the round's closing",
            action=ANONYMISED,
            due=expressions_of_interest,
            apply=anonymise_unfunded,
        )
    )
    register(
        Schedule(
            key="unsuccessful_applications",
            label="Applications not funded",
            starts="the round's closing",
            action=ANONYMISED,
            due=not_funded,
            apply=anonymise_unfunded,
        )
    )
    register(
        Schedule(
            key="successful_applications",
            label="Funded applications and their delivery",
            starts="the award's close-out, withdrawal or claw-back",
            action=f"{ANONYMISED}, with the monitoring returns' and due diligence's",
            due=funded,
            apply=anonymise_funded,
        )
    )

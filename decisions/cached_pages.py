"""What the register's kept pages show (svd_portal.caching.public_page), and the changes
that make them stale: the list and the feed show the published records; a record's page
shows the record, its signed PDF, the records that correct it and the grants it made."""

from django.db.models.signals import post_delete, post_save

from grants.models import Award
from partners.models import Organisation
from svd_portal.caching import pages_changed

from .enums import DecisionStatus
from .models import DecisionDocument, DecisionRecord

REGISTER = "register"


def record_scope(reference: str) -> str:
    return f"decision:{reference}"


def record_changed(sender, instance: DecisionRecord, **kwargs):
    # A record no one else can read yet is on no kept page; publishing it is a change.
    if instance.status != DecisionStatus.PUBLISHED:
        return
    scopes = [REGISTER, record_scope(instance.reference)]
    if instance.corrects_id:
        # The record it corrects now names it.
        corrected = (
            DecisionRecord.objects.filter(pk=instance.corrects_id)
            .values_list("reference", flat=True)
            .first()
        )
        scopes.append(record_scope(corrected))
    pages_changed(*scopes)


def document_changed(sender, instance: DecisionDocument, **kwargs):
    reference = (
        DecisionRecord.objects.filter(pk=instance.record_id)
        .values_list("reference", flat=True)
        .first()
    )
    if reference:
        pages_changed(record_scope(reference))


def award_changed(sender, instance: Award, **kwargs):
    # The record's page lists the grants it made that are on the grants register.
    if instance.decision_reference:
        pages_changed(record_scope(instance.decision_reference))


def organisation_changed(sender, instance: Organisation, **kwargs):
    # A record's page names the organisation each of its grants went to.
    references = (
        Award.objects.filter(organisation=instance)
        .exclude(decision_reference="")
        .values_list("decision_reference", flat=True)
        .distinct()
    )
    scopes = [record_scope(reference) for reference in references]
    if scopes:
        pages_changed(*scopes)


def connect():
    for signal in (post_save, post_delete):
        signal.connect(record_changed, sender=DecisionRecord, dispatch_uid="pages-record")
        signal.connect(document_changed, sender=DecisionDocument, dispatch_uid="pages-document")
        signal.connect(award_changed, sender=Award, dispatch_uid="pages-award")
    post_save.connect(organisation_changed, sender=Organisation, dispatch_uid="pages-organisation")

from django.db import models

from svd_portal.pdfs import PdfStatus


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting officer approval"
    AWAITING_SIGNATURE = "awaiting_signature", "Awaiting PCC signature"
    SIGNED = "signed", "Signed"
    PUBLISHED = "published", "Published"


LOCKED_STATUSES = frozenset({DecisionStatus.SIGNED, DecisionStatus.PUBLISHED})


class Outcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    NOT_APPROVED = "not_approved", "Not approved"


class ReferenceYear(models.TextChoices):
    CALENDAR = "calendar", "Calendar year"
    FINANCIAL = "financial", "Financial year (from 1 April)"


# A decision record's signed PDF versions move as every signed PDF's do.
DocumentStatus = PdfStatus

"""A draft's amount requested becomes its budget lines' total (none without lines): the
amount is no longer typed, so a draft whose typed figure differed is brought in line."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Sum


def amount_from_lines(apps, schema_editor):
    Application = apps.get_model("grants", "Application")
    drafts = Application.objects.filter(status="draft").annotate(total=Sum("budget_lines__amount"))
    for draft in drafts.iterator(chunk_size=500):
        amount = draft.total if draft.total and draft.total > Decimal("0") else None
        if draft.amount_requested != amount:
            Application.objects.filter(pk=draft.pk).update(amount_requested=amount)


class Migration(migrations.Migration):
    dependencies = [("grants", "0018_retention")]

    operations = [migrations.RunPython(amount_from_lines, migrations.RunPython.noop)]

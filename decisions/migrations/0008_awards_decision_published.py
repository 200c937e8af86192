import zoneinfo

from django.db import migrations


def mark_published(apps, schema_editor):
    """Awards made by decisions published before the grants register knew of it."""
    record = apps.get_model("decisions", "DecisionRecord")
    award = apps.get_model("grants", "Award")
    for reference, published_at in record.objects.filter(
        status="published", published_at__isnull=False
    ).values_list("reference", "published_at"):
        award.objects.filter(decision_reference=reference).update(
            decision_published_on=published_at.astimezone(
                zoneinfo.ZoneInfo("Europe/London")
            ).date()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0007_decision_variation"),
        ("grants", "0016_grants_register"),
    ]

    operations = [migrations.RunPython(mark_published, migrations.RunPython.noop)]

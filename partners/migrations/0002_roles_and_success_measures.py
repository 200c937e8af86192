"""The five roles as groups, and the Home Office's three success measures."""

from django.db import migrations

ROLES = ["OPCC staff", "Chief Executive", "PCC", "Panel member", "Provider"]

HOME_OFFICE_MEASURES = [
    (
        "hospital-admissions-knife-assault",
        "Hospital admissions for assault with a knife or sharp object",
        "A reduction in hospital admissions for assaults with a knife or sharp object "
        "(especially among those aged under 25).",
    ),
    (
        "police-recorded-knife-serious-violence",
        "Knife or sharp-object-enabled serious violence recorded by the police",
        "A reduction in knife and sharp object enabled serious violence recorded by the police "
        "(especially among those aged under 25).",
    ),
    (
        "police-recorded-homicides",
        "Homicides recorded by the police",
        "A reduction in homicides recorded by the police (especially among those aged under 25).",
    ),
]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    SuccessMeasure = apps.get_model("partners", "SuccessMeasure")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for code, title, description in HOME_OFFICE_MEASURES:
        SuccessMeasure.objects.update_or_create(
            code=code,
            defaults={"title": title, "description": description, "is_home_office": True},
        )


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
    apps.get_model("partners", "SuccessMeasure").objects.filter(
        code__in=[code for code, _, _ in HOME_OFFICE_MEASURES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("partners", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, remove)]

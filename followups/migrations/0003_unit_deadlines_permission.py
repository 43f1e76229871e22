from django.db import migrations


def add(apps, schema_editor):
    from followups.permissions import unit_deadlines_permission_ensure

    unit_deadlines_permission_ensure(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0002_example_rules"),
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]

from django.db import migrations


def add(apps, schema_editor):
    from signoff.permissions import sign_off_permission_ensure

    sign_off_permission_ensure(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("signoff", "0001_initial"),
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]

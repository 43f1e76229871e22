from django.db import migrations, models
from django.db.models.functions import Now


def destroyed_before_are_purged(apps, schema_editor):
    # Until now every destroyed document was purged at once (and again every hour).
    Document = apps.get_model("archive", "Document")
    IndexPurge = apps.get_model("search", "IndexPurge")
    ids = Document.objects.filter(destroyed_at__isnull=False).values_list("pk", flat=True)
    IndexPurge.objects.bulk_create([IndexPurge(document_id=pk) for pk in ids.iterator()],
                                   batch_size=500, ignore_conflicts=True)
    IndexPurge.objects.update(purged_at=Now())


class Migration(migrations.Migration):
    dependencies = [("search", "0002_searchentry_state"), ("archive", "0004_destruction")]

    operations = [
        migrations.CreateModel(
            name="IndexPurge",
            fields=[
                ("document_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("hidden_at", models.DateTimeField(auto_now_add=True)),
                ("purged_at", models.DateTimeField(null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["purged_at"], name="search_purge_pending")],
            },
        ),
        migrations.RunPython(destroyed_before_are_purged, migrations.RunPython.noop),
    ]

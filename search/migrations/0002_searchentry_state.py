from django.db import migrations, models

from search.migration_operations import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        # Entries written before lack it: the backend's version changed, so the index is
        # rebuilt after this migration.
        PostgreSQLOnly(migrations.AddField(
            model_name="searchentry", name="state",
            field=models.CharField(default="open", max_length=16))),
    ]

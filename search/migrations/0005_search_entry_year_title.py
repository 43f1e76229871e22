from django.db import migrations, models

from search.migration_operations import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("search", "0004_search_saved_searches")]

    operations = [
        # The year facet and the title sort. Entries written before lack both: the backend's
        # version changed, so the index is rebuilt after this migration.
        PostgreSQLOnly(migrations.AddField(
            model_name="searchentry", name="year", field=models.IntegerField(null=True))),
        PostgreSQLOnly(migrations.AddField(
            model_name="searchentry", name="title_key",
            field=models.CharField(blank=True, default="", max_length=200))),
    ]

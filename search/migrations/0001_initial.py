import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

from search.migration_operations import PostgreSQLOnly


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="IndexState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("backend", models.CharField(max_length=32)),
                ("version", models.CharField(max_length=32)),
                ("built_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        # SQLite has no tsvector, arrays or GIN: the PostgreSQL backend's table exists only
        # there, while the model stays in every migration state.
        PostgreSQLOnly(migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("document_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("fingerprint", models.CharField(max_length=16)),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
                ("principals", django.contrib.postgres.fields.ArrayField(
                    base_field=models.CharField(max_length=64), size=None)),
                ("document_type", models.CharField(blank=True, max_length=64)),
                ("sender", models.CharField(blank=True, max_length=300)),
                ("unit_id", models.BigIntegerField(null=True)),
                ("case_file_id", models.BigIntegerField(null=True)),
                ("letter_date", models.DateField(null=True)),
                ("received_at", models.DateTimeField(null=True)),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["vector"],
                                                             name="search_entry_vector"),
                    django.contrib.postgres.indexes.GinIndex(fields=["principals"],
                                                             name="search_entry_principals"),
                    models.Index(fields=["received_at"], name="search_entry_received"),
                ],
            },
        )),
    ]

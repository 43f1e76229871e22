"""Example deadline rules, marked as examples: the legal office confirms, changes or
deactivates them on the administration's page. Rows that exist are left as they are."""
from django.db import migrations

EXAMPLE_RULES = [
    # document type (empty: not yet classified), months, days, label, legal basis
    ("antrag", 6, 0, "Antrag unbeschieden: Untätigkeitsklage möglich",
     "§ 88 Abs. 1 SGG: Untätigkeitsklage nicht vor Ablauf von sechs Monaten seit dem Antrag"),
    ("widerspruch", 3, 0, "Widerspruch unbeschieden: Untätigkeitsklage möglich",
     "§ 88 Abs. 2 SGG: Untätigkeitsklage nicht vor Ablauf von drei Monaten seit dem Widerspruch"),
    # Until post has a type it could be an objection: the shortest of the periods applies.
    ("", 3, 0, "Post ohne Dokumenttyp: Typ bestimmen (könnte ein Widerspruch sein)",
     "§ 88 Abs. 2 SGG: kürzeste Frist, solange der Dokumenttyp offen ist"),
    ("bescheid", 11, 0, "Bewilligungszeitraum endet: Weiterbewilligung prüfen",
     "§ 41 Abs. 3 SGB II: Bewilligungszeitraum in der Regel zwölf Monate"),
]


def add_examples(apps, schema_editor):
    DeadlineRule = apps.get_model("followups", "DeadlineRule")
    DocumentType = apps.get_model("archive", "DocumentType")
    known = set(DocumentType.objects.values_list("key", flat=True))
    for document_type, months, days, label, legal_basis in EXAMPLE_RULES:
        if document_type and document_type not in known:
            continue
        DeadlineRule.objects.get_or_create(
            document_type=document_type, label=label,
            defaults={"months": months, "days": days, "legal_basis": legal_basis,
                      "example": True, "active": True})


class Migration(migrations.Migration):

    dependencies = [
        ("followups", "0001_initial"),
        ("archive", "0012_default_document_types"),
    ]

    operations = [migrations.RunPython(add_examples, migrations.RunPython.noop)]

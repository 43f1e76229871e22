"""The document types of a social-services department, so that a fresh instance classifies by
rules from the first letter on. Existing rows are left as the administrator made them."""
from django.db import migrations

# The Aktenzeichen of a German social court: "S 12 AS 345/26" (chamber, register, number/year).
SOCIAL_COURT_REFERENCE = r"(?-i:\bS\s?\d{1,3}\s?[A-Z]{1,3}\s?\d{1,5}/\d{2}\b)"

# key, name, process name, priority, rule, rule is a regular expression
DEFAULT_TYPES = [
    ("sozialgericht", "Schreiben des Sozialgerichts", "Klageverfahren", 95,
     rf"Sozialgericht[\s\S]{{0,1500}}?{SOCIAL_COURT_REFERENCE}"
     rf"|{SOCIAL_COURT_REFERENCE}[\s\S]{{0,1500}}?Sozialgericht", True),
    ("widerspruchsbescheid", "Widerspruchsbescheid", "Widerspruchsverfahren", 90,
     "Widerspruchsbescheid, Widerspruch wird zurückgewiesen, "
     "Widerspruch wird als unbegründet zurückgewiesen, dem Widerspruch wird stattgegeben, "
     "Klage beim Sozialgericht", False),
    ("widerspruch", "Widerspruch", "Widerspruchsverfahren", 80,
     "lege ich Widerspruch ein, erhebe ich Widerspruch, hiermit Widerspruch, "
     "Widerspruch gegen, widerspreche", False),
    ("anhoerung", "Anhörung", "", 70,
     "Anhörung, § 24 SGB X, Gelegenheit zur Stellungnahme, Gelegenheit zur Äußerung, "
     "beabsichtige", False),
    ("mahnung", "Mahnung / Zahlungserinnerung", "Forderung", 70,
     "Mahnung, Zahlungserinnerung, Mahngebühr, Zahlungsrückstand, offene Forderung, "
     "bitten wir um Zahlung, Zahlungsfrist", False),
    ("einkommensnachweis", "Einkommensnachweis", "", 60,
     "Einkommensnachweis, Verdienstbescheinigung, Lohnabrechnung, Gehaltsabrechnung, "
     "Entgeltabrechnung, Bruttobezüge, Nettobezüge, Auszahlungsbetrag, "
     "Arbeitgeberbescheinigung, Gesamtbrutto", False),
    ("kontoauszug", "Kontoauszug", "", 60,
     "Kontoauszug, Kontostand, Buchungstag, Wertstellung, Saldo", False),
    ("mietvertrag", "Mietvertrag / Mietbescheinigung", "Kosten der Unterkunft", 60,
     "Mietvertrag, Mietbescheinigung, Vermieter, Vermieterin, Grundmiete, Nettokaltmiete, "
     "Kaltmiete, Mietverhältnis, Wohnfläche", False),
    ("attest", "Ärztliches Attest / Gutachten", "", 60,
     "Attest, ärztliche Bescheinigung, Arbeitsunfähigkeitsbescheinigung, Gutachten, "
     "Diagnose, arbeitsunfähig, Facharzt, Fachärztin, Dr. med.", False),
    ("vollmacht", "Vollmacht", "", 60,
     "Vollmacht, bevollmächtige, Bevollmächtigte, Bevollmächtigter", False),
    ("meldebescheinigung", "Meldebescheinigung", "", 60,
     "Meldebescheinigung, Meldebehörde, Bürgeramt, Hauptwohnung, alleinige Wohnung, "
     "Einzugsdatum, Bundesmeldegesetz", False),
    ("bescheid", "Bescheid", "", 50,
     "Bescheid, Bewilligungsbescheid, Änderungsbescheid, Ablehnungsbescheid, "
     "Aufhebungsbescheid, Erstattungsbescheid, Rechtsbehelfsbelehrung, bewillige, "
     "werden Ihnen Leistungen", False),
    ("antrag", "Antrag", "Antragsverfahren", 40,
     "Antrag, beantrage, Antragstellung, Weiterbewilligungsantrag, Erstantrag", False),
]


def add_defaults(apps, schema_editor):
    DocumentType = apps.get_model("archive", "DocumentType")
    for key, name, process_name, priority, rule, is_regex in DEFAULT_TYPES:
        DocumentType.objects.get_or_create(key=key, defaults={
            "name": name, "process_name": process_name, "priority": priority, "rule": rule,
            "rule_is_regex": is_regex})


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0011_document_types"),
    ]

    operations = [
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
    ]

"""Shared by the tests of classified routing: the default document types (a transactional
test's flush removes what the migration shipped), case files of two people of one name, and
letters that quote no file reference."""
from datetime import date

from archive.actors import system_actor
from archive.models import DocumentType, FilePlanUnit, Unit
from archive.services.casefiles import case_file_create

BECKER_NUMBER = "253D001234"


def default_document_types() -> None:
    from importlib import import_module

    defaults = import_module("archive.migrations.0012_default_document_types").DEFAULT_TYPES
    for key, name, process_name, priority, rule, is_regex in defaults:
        DocumentType.objects.get_or_create(key=key, defaults={
            "name": name, "process_name": process_name, "priority": priority, "rule": rule,
            "rule_is_regex": is_regex, "active": True})


def two_beckers(unit_code: str = "A") -> dict:
    """Thomas Becker twice in one unit: born 1975 (no client number) and born 1990 (with
    one). Their names alone cannot tell them apart."""
    plan = FilePlanUnit.objects.get(code="50.20.1")
    unit = Unit.objects.get(code=unit_code)

    def cover(born, number=""):
        return case_file_create(plan_unit=plan, unit=unit, title="SGB II Becker",
                                actor=system_actor("system", "test"),
                                subject_name="Thomas Becker", subject_birth_date=born,
                                client_number=number)

    return {"1975": cover(date(1975, 11, 12)), "1990": cover(date(1990, 2, 1), BECKER_NUMBER)}


def becker_letter(*extra: str, subject: str = "Widerspruch gegen den Bescheid vom 15.02.2026"
                  ) -> list[str]:
    """A citizen's letter: his address on top, the authority in the window, no reference."""
    return ["Thomas Becker · Mariannenstraße 5 · 04315 Leipzig", "",
            "Stadt Leipzig", "Sozialamt", "Prager Straße 21", "04103 Leipzig", "",
            "Leipzig, den 03.03.2026", *extra, "", f"Betreff: {subject}", "",
            "Sehr geehrte Damen und Herren,", "",
            "gegen den oben genannten Bescheid lege ich hiermit Widerspruch ein.",
            "Die Begründung reiche ich innerhalb von vier Wochen nach.", "",
            "Mit freundlichen Grüßen", "Thomas Becker"]

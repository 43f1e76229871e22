"""The record model: file plan, case files, processes, documents and immutable versions."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..errors import IntegrityFailure
from .organisation import Unit


class FilePlanUnit(models.Model):
    """Aktenplaneinheit: a node of the hierarchical file plan, e.g. 50.20.1."""

    code = models.CharField(_("Aktenplankennzeichen"), max_length=64, unique=True)
    title = models.CharField(_("Titel"), max_length=300)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    active = models.BooleanField(_("aktiv"), default=True)
    # A key of the retention app's schedules; the archive does not import that app.
    retention_schedule = models.CharField(_("Aufbewahrungsfrist"), max_length=64, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Aktenplaneinheit")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def delete(self, *args, **kwargs):
        raise IntegrityFailure("A file plan unit is never deleted; deactivate it instead.")


class FileReferenceCounter(models.Model):
    """The running number per file plan unit and year, taken under a row lock."""

    plan_unit = models.ForeignKey(FilePlanUnit, on_delete=models.PROTECT)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_unit", "year"], name="uniq_counter_unit_year")
        ]


class Confidentiality(models.IntegerChoices):
    NORMAL = 0, _("normal")
    CONFIDENTIAL = 1, _("vertraulich")
    STRICTLY_CONFIDENTIAL = 2, _("streng vertraulich")


class CaseFile(models.Model):
    """Akte. Its file reference is issued once and never changes."""

    file_reference = models.CharField(_("Aktenzeichen"), max_length=64, unique=True, editable=False)
    plan_unit = models.ForeignKey(FilePlanUnit, on_delete=models.PROTECT, related_name="case_files")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="case_files")
    title = models.CharField(_("Titel"), max_length=300)
    subject_name = models.CharField(_("Betroffene Person"), max_length=200, blank=True)
    subject_birth_date = models.DateField(_("Geburtsdatum"), null=True, blank=True)
    client_number = models.CharField(_("Kundennummer"), max_length=64, blank=True)
    # The subject's address (optional): street with house number as one line, as people
    # write it ("Am Markt 3a"), postcode and city apart; the postcode is what oversight's
    # same_address rule requires to be equal before it compares the street.
    subject_street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    subject_postcode = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    subject_city = models.CharField(_("Ort"), max_length=100, blank=True)
    confidentiality = models.PositiveSmallIntegerField(
        _("Vertraulichkeit"), choices=Confidentiality.choices, default=Confidentiality.NORMAL)
    staff_case = models.BooleanField(_("Beschäftigtenfall"), default=False)
    named_persons = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="staff_cases",
        verbose_name=_("benannte Personen"))
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("zdA verfügt am"), null=True, blank=True)
    closed_by = models.CharField(_("zdA verfügt von"), max_length=150, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    residual = models.JSONField(default=dict, blank=True)
    # GDPR Art. 18 / § 84 SGB X: processing restricted instead of erasure; only the DPO sees it.
    restricted = models.BooleanField(_("Verarbeitung eingeschränkt"), default=False)
    # Art. 16/18: the data subject disputes the accuracy; shown wherever the data appears.
    disputed_note = models.CharField(_("Bestritten"), max_length=500, blank=True)
    # Bearbeiter: whose desk the file's new post and deadlines land on; empty means the
    # unit's default caseworker, and failing that the unit's shared desk.
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="responsible_case_files", verbose_name=_("Bearbeitung"))

    class Meta:
        ordering = ["file_reference"]
        verbose_name = _("Akte")

    def __str__(self) -> str:
        return f"{self.file_reference} {self.title}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("file_reference", flat=True)
            if stored and stored[0] != self.file_reference:
                raise IntegrityFailure("An issued file reference cannot change.")
        super().save(*args, **kwargs)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def subject_address(self) -> str:
        """The subject's address on one line ("Hauptstraße 5, 80331 München"), or ""."""
        place = " ".join(p for p in (self.subject_postcode, self.subject_city) if p)
        return ", ".join(p for p in (self.subject_street, place) if p)


class Process(models.Model):
    """Vorgang: an optional grouping of documents inside a case file."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="processes")
    title = models.CharField(_("Titel"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("zdA verfügt am"), null=True, blank=True)
    closed_by = models.CharField(_("zdA verfügt von"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("Vorgang")

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Direction(models.TextChoices):
    """Which way a document went: post that arrived (scans, mail, uploads) or post the
    authority sent (a decision a specialist procedure filed through the API)."""
    INCOMING = "incoming", _("Posteingang")
    OUTGOING = "outgoing", _("Postausgang")


class Document(models.Model):
    """Dokument. Without a case file it waits in the mailroom inbox."""

    case_file = models.ForeignKey(
        CaseFile, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("Titel"), max_length=300)
    document_type = models.CharField(_("Dokumenttyp"), max_length=64, blank=True)
    sender = models.CharField(_("Absender"), max_length=300, blank=True)
    letter_date = models.DateField(_("Datum des Schreibens"), null=True, blank=True)
    received_at = models.DateTimeField(_("Eingangsdatum"))
    medium = models.CharField(_("Medium"), max_length=32, default="scan")
    direction = models.CharField(_("Richtung"), max_length=16, choices=Direction.choices,
                                 default=Direction.INCOMING)
    # The paper original of a scan must be kept: None follows the document type's flag.
    keep_paper = models.BooleanField(_("Papieroriginal aufbewahren"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # After destruction only a residual record without anything personal remains.
    destroyed_at = models.DateTimeField(null=True, blank=True)
    residual = models.JSONField(default=dict, blank=True)
    # Stored objects removed and the other apps told; until then the hourly repair retries.
    destruction_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("Dokument")
        # Recent post (the start page's count, the new-post list) is a few days of a large
        # archive: found through this index instead of by reading every document of a unit.
        indexes = [models.Index(fields=["received_at"], name="archive_doc_received_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def in_inbox(self) -> bool:
        return self.case_file_id is None


class PdfaCheck(models.TextChoices):
    """The verdict of the PDF/A validator on a version's rendition (archive/pdfa_check.py)."""

    PASS = "pass", _("PDF/A geprüft: gültig")
    FAIL = "fail", _("PDF/A-Prüfung fehlgeschlagen")
    NOT_CHECKED = "not_checked", _("PDF/A nicht geprüft")


class Version(models.Model):
    """An immutable version: the original, its PDF/A rendition and its text, each hashed."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    original_sha256 = models.CharField(max_length=64, db_index=True)
    original_size = models.BigIntegerField()
    original_name = models.CharField(max_length=255)
    original_mime = models.CharField(max_length=100)
    rendition_sha256 = models.CharField(max_length=64, blank=True)
    # True only when the validator approved the stored rendition (pdfa_check "pass"): a
    # claim in the file's own metadata is not enough (archive/pdfa_check.py).
    rendition_is_pdfa = models.BooleanField(default=False)
    pdfa_check = models.CharField(_("PDF/A-Prüfung"), max_length=16, choices=PdfaCheck.choices,
                                  default=PdfaCheck.NOT_CHECKED)
    pdfa_findings = models.JSONField(default=list, blank=True)  # the validator's, in English
    # A small picture of the rendition's first page, made from this version's own rendition
    # (so a redacted version shows the redaction). Empty when none could be made.
    thumbnail_sha256 = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    text_sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(default=0)
    provenance = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    # Every stored object of a version: what fixity checks and destruction removes.
    BLOB_FIELDS = ("original_sha256", "rendition_sha256", "thumbnail_sha256")

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="uniq_version_number")
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise IntegrityFailure("A version is immutable once stored.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IntegrityFailure("A version cannot be deleted outside a reviewed disposal.")

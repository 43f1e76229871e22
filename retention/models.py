"""Retention schedules, the computed retention of each case file, legal holds and reviewed
disposal lists. Schedules are data: a trigger, a period, a cut-off, an action, a legal basis."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.models import CaseFile


class Trigger(models.TextChoices):
    CLOSED = "closed", _("zdA-Verfügung der Akte")
    LETTER_DATE = "letter_date", _("Datum des jüngsten Schreibens")
    RECEIVED = "received", _("Eingang des jüngsten Dokuments")
    BIRTH_DATE = "birth_date", _("Geburtsdatum der betroffenen Person")
    NAMED_EVENT = "named_event", _("benanntes Ereignis in der Akte")


class Action(models.TextChoices):
    DESTROY = "destroy", _("vernichten")
    REVIEW = "review", _("prüfen")
    OFFER = "offer", _("dem Archiv anbieten")


class RetentionSchedule(models.Model):
    key = models.CharField(_("Kennung"), max_length=64, unique=True)
    name = models.CharField(_("Bezeichnung"), max_length=200)
    trigger = models.CharField(_("Auslöser"), max_length=32, choices=Trigger.choices)
    trigger_event = models.CharField(_("Ereignisname"), max_length=64, blank=True)
    trigger_offset_years = models.PositiveSmallIntegerField(
        _("Auslöser + Jahre"), default=0, help_text=_("z. B. 30 für den 30. Geburtstag"))
    years = models.PositiveSmallIntegerField(_("Jahre"), default=0)
    months = models.PositiveSmallIntegerField(_("Monate"), default=0)
    days = models.PositiveSmallIntegerField(_("Tage"), default=0)
    year_end_cutoff = models.BooleanField(_("Fristende zum Jahresende"), default=False)
    action = models.CharField(_("Maßnahme"), max_length=16, choices=Action.choices)
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=500)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} ({self.name})"


class NamedEvent(models.Model):
    """An event recorded on a case file that a schedule can count from (e.g. 'Leistungsende')."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=64)
    date = models.DateField()
    recorded_by = models.CharField(max_length=150)


class CaseFileRetention(models.Model):
    case_file = models.OneToOneField(CaseFile, on_delete=models.PROTECT, related_name="+")
    schedule_key = models.CharField(max_length=64, blank=True)
    computed_end = models.DateField(null=True, blank=True)
    # Set by an extension or a (DPO-only) shortening; wins over the computed end.
    override_end = models.DateField(null=True, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices, blank=True)
    # For "offer": the public archive's appraisal ("archive" or "destroy"); until it is
    # known nothing may be destroyed.
    archive_decision = models.CharField(max_length=16, blank=True)
    # The xdomea identity of the case file, issued on its first offer and kept for every later
    # message, so that the archive's answers can be matched back.
    xdomea_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def end(self):
        return self.override_end or self.computed_end


class LegalHold(models.Model):
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("Grund"), max_length=500)
    mandate = models.CharField(_("Anordnung / Aktenzeichen der Anordnung"), max_length=300)
    placed_by = models.CharField(max_length=150)
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.CharField(max_length=150, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        permissions = [("manage_holds", "Sperren setzen und aufheben"),
                       ("propose_disposal", "Aussonderung vorschlagen"),
                       ("approve_disposal", "Aussonderung genehmigen")]


class DisposalState(models.TextChoices):
    PROPOSED = "proposed", _("vorgeschlagen")
    APPROVED = "approved", _("genehmigt")
    EXECUTED = "executed", _("vollzogen")
    REJECTED = "rejected", _("abgelehnt")


class DisposalList(models.Model):
    state = models.CharField(max_length=16, choices=DisposalState.choices,
                             default=DisposalState.PROPOSED)
    proposed_by = models.CharField(max_length=150)
    proposed_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    protocol_sha256 = models.CharField(max_length=64, blank=True)
    protocol_pdf_sha256 = models.CharField(max_length=64, blank=True)
    case_files = models.ManyToManyField(CaseFile, related_name="+")

    class Meta:
        ordering = ["-proposed_at"]


class ErasureDecision(models.TextChoices):
    ERASED = "erased", _("gelöscht")
    RESTRICTED = "restricted", _("eingeschränkt statt gelöscht")
    REFUSED = "refused", _("abgelehnt")


class ErasureRequest(models.Model):
    """A data subject's request to erase (Art. 17 GDPR, § 84 SGB X), decided by the DPO."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("eingegangen am"))
    note = models.CharField(_("Vermerk zum Antrag"), max_length=500, blank=True)
    recorded_by = models.CharField(max_length=150)
    decision = models.CharField(max_length=16, choices=ErasureDecision.choices, blank=True)
    reason = models.CharField(_("Begründung der Entscheidung"), max_length=1000, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]


class TransferState(models.TextChoices):
    OFFERED = "offered", _("angeboten (0501)")
    APPRAISED = "appraised", _("bewertet (0502)")
    PACKAGED = "packaged", _("übergeben (0503)")
    CONFIRMED = "confirmed", _("Übernahme bestätigt (0506)")


class Transfer(models.Model):
    """One xdomea Aussonderung run; its process id runs through every message (0501-0507)."""

    process_id = models.UUIDField(unique=True, editable=False)
    state = models.CharField(max_length=16, choices=TransferState.choices,
                             default=TransferState.OFFERED)
    created_by = models.CharField(max_length=150)
    offered_at = models.DateTimeField(auto_now_add=True)
    offer_received_at = models.DateTimeField(null=True, blank=True)
    appraised_at = models.DateTimeField(null=True, blank=True)
    packaged_at = models.DateTimeField(null=True, blank=True)
    package_received_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    case_files = models.ManyToManyField(CaseFile, through="TransferItem", related_name="+")

    class Meta:
        ordering = ["-offered_at"]


class TransferItemState(models.TextChoices):
    OFFERED = "offered", _("angeboten")
    ARCHIVE = "archive", _("archivwürdig")
    DESTROY = "destroy", _("zur Vernichtung freigegeben")
    PACKAGED = "packaged", _("übergeben")
    ARCHIVED = "archived", _("vom Archiv übernommen, lokal vernichtet")
    FAILED = "failed", _("nicht übernommen, lokal erhalten")


class TransferItem(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="items")
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=TransferItemState.choices,
                             default=TransferItemState.OFFERED)
    # Set once the archive has confirmed the import; the destruction veto lets it pass.
    import_confirmed = models.BooleanField(default=False)
    archive_reference = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["transfer", "case_file"],
                                               name="uniq_transfer_case_file")]


class DisclosureBasis(models.TextChoices):
    INSPECTION = "sgb10_25", _("§ 25 SGB X Akteneinsicht")
    COURT = "sgg_65d", _("§ 65d SGG / § 120 SGG Gericht")
    OTHER = "other", _("andere Rechtsgrundlage")


class Disclosure(models.Model):
    """The disclosure register (Offenlegungsverzeichnis): one entry per inspection or court
    package that left the authority, with the recipient, the legal basis, the purpose and the
    exact versions (document id, version number and SHA-256 of original and rendition, kept as
    JSON and not as foreign keys, since version rows go with a reviewed destruction). The Art.
    15 report reads it to answer "to whom were my data disclosed" (Art. 15(1)(c) GDPR)."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(_("Empfänger"), max_length=300)
    basis = models.CharField(_("Rechtsgrundlage"), max_length=16,
                             choices=DisclosureBasis.choices)
    basis_text = models.CharField(_("andere Rechtsgrundlage"), max_length=300, blank=True)
    purpose = models.CharField(_("Zweck"), max_length=500)
    documents = models.JSONField(default=list)
    package_sha256 = models.CharField(max_length=64)
    built_by = models.CharField(max_length=150)
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-built_at", "-pk"]

    @property
    def basis_label(self) -> str:
        if self.basis == DisclosureBasis.OTHER and self.basis_text:
            return self.basis_text
        return str(DisclosureBasis(self.basis).label)


class DisclosureNumber(models.Model):
    """A register number reserved for a package being built. The package carries its number
    (cover, struktur.xml, index.json) and the reads are logged with it, but the register entry
    is written only once the package is complete; the number is taken from here before the
    build, and the entry is created with it. A build that fails leaves its number unused: a
    gap in the register's numbers is a build that never left the authority (the job says
    why, as long as it is kept)."""

    reserved_at = models.DateTimeField(auto_now_add=True)


class DisclosureJobState(models.TextChoices):
    QUEUED = "queued", _("wartet")
    RUNNING = "running", _("wird erstellt")
    DONE = "done", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")


DISCLOSURE_JOB_TERMINAL_STATES = {DisclosureJobState.DONE, DisclosureJobState.FAILED}
# The steps of a build in order, for progress display.
DISCLOSURE_JOB_STEPS = ("pdf", "check", "originals", "register")


class DisclosureJob(models.Model):
    """A package asked for on the disclosure page and built by the worker. It holds what the
    form said (checked when it was asked for and again when it runs), how far the build is,
    and, once done, the register entry and the finished zip in private storage
    (`DISCLOSURE_PACKAGE_DIR`), kept until `expires_at`. Only the person who asked sees it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    recipient = models.CharField(max_length=300)
    basis = models.CharField(max_length=16, choices=DisclosureBasis.choices)
    basis_text = models.CharField(max_length=300, blank=True)
    purpose = models.CharField(max_length=500)
    document_ids = models.JSONField(default=list)
    state = models.CharField(max_length=16, choices=DisclosureJobState.choices,
                             default=DisclosureJobState.QUEUED, db_index=True)
    step = models.CharField(max_length=16, blank=True)
    done = models.PositiveIntegerField(default=0)  # documents done in the current step
    total = models.PositiveIntegerField(default=0)
    code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    disclosure = models.ForeignKey(Disclosure, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    package_size = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"disclosure package of case file {self.case_file_id} ({self.state})"

    @property
    def is_terminal(self) -> bool:
        return self.state in DISCLOSURE_JOB_TERMINAL_STATES

"""Representations of API v1. Output serializers only read what a view already fetched through
the access function or a trimmed selector; input serializers validate the request (a wrong
value is a 400 INVALID_INPUT problem with the fields named) before any service is called."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.models import Confidentiality, Direction, PdfaCheck
from archive.services.doctypes import document_type_names
from signoff.notes import MAX_TEXT as NOTE_MAX_TEXT
from signoff.notes import NOTE_KINDS

MAX_TEXT = 300


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()


class PlanUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField(help_text="Aktenplankennzeichen, e.g. 50.20.1")
    title = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    active = serializers.BooleanField()
    retention_schedule = serializers.CharField(help_text="key of its retention schedule")


class DocumentTypeSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    process_name = serializers.CharField()
    active = serializers.BooleanField()
    protection_need = serializers.CharField(
        help_text="replacement scanning's protection need: normal, hoch or sehr_hoch")
    keep_paper = serializers.BooleanField(help_text="paper originals of this type are kept")


class CorrespondentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())


class CaseFileSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    file_reference = serializers.CharField(help_text="Aktenzeichen; issued once, never changes")
    title = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    plan_unit = serializers.CharField(source="plan_unit.code")
    subject_name = serializers.CharField()
    subject_birth_date = serializers.DateField(allow_null=True)
    client_number = serializers.CharField(help_text="Kundennummer / BG-Nummer")
    subject_street = serializers.CharField(help_text="the subject's street and house number")
    subject_postcode = serializers.CharField(help_text="the subject's postcode (5 digits)")
    subject_city = serializers.CharField(help_text="the subject's city")
    confidentiality = serializers.IntegerField()
    state = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    restricted = serializers.BooleanField()
    disputed_note = serializers.CharField()

    def get_state(self, case_file) -> str:
        return "closed" if case_file.is_closed else "open"


class CaseFileFilterSerializer(serializers.Serializer):
    """Find case files: every filter narrows what the caller may read anyway."""

    file_reference = serializers.CharField(
        required=False, max_length=64, help_text="exact file reference"
    )
    client_number = serializers.CharField(
        required=False, max_length=64, help_text="exact client number (case-insensitive)"
    )
    person = serializers.CharField(
        required=False, max_length=200, help_text="part of the person's name (case-insensitive)"
    )
    birth_date = serializers.DateField(required=False, help_text="the person's birth date")
    unit = serializers.CharField(required=False, max_length=32, help_text="unit code")
    plan_unit = serializers.CharField(required=False, max_length=64, help_text="plan code")
    state = serializers.ChoiceField(required=False, choices=["open", "closed"])
    purpose = serializers.CharField(
        required=False,
        max_length=500,
        allow_blank=True,
        help_text="why the list is read (recorded in the trail)",
    )


class CaseFileCreateSerializer(serializers.Serializer):
    plan_unit = serializers.CharField(max_length=64, help_text="code of an active plan unit")
    unit = serializers.CharField(max_length=32, help_text="code of the owning unit")
    title = serializers.CharField(max_length=MAX_TEXT)
    subject_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    subject_birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    client_number = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )
    subject_street = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    subject_postcode = serializers.CharField(
        required=False, allow_blank=True, max_length=5, default="", help_text="5 digits"
    )
    subject_city = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )
    confidentiality = serializers.ChoiceField(
        required=False, default=0, choices=Confidentiality.values
    )


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ReadSerializer(serializers.Serializer):
    purpose = serializers.CharField(
        required=False,
        max_length=500,
        allow_blank=True,
        default="",
        help_text="why it is read; a file shared with the "
        "caller's unit needs 10 characters or more",
    )


class ProcessSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    case_file = serializers.IntegerField(source="case_file_id")
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    document_count = serializers.IntegerField()


class ProcessCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_TEXT)


class DocumentItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    case_file = serializers.IntegerField(source="case_file_id", allow_null=True)
    file_reference = serializers.SerializerMethodField()
    process = serializers.IntegerField(source="process_id", allow_null=True)
    document_type = serializers.CharField(help_text="key of the document type; empty: none")
    document_type_name = serializers.SerializerMethodField()
    sender = serializers.CharField()
    letter_date = serializers.DateField(allow_null=True)
    received_at = serializers.DateTimeField()
    medium = serializers.CharField(help_text="scan, email, digital, file_note")
    direction = serializers.ChoiceField(
        choices=Direction.values, help_text="incoming post, or outgoing post"
    )

    def get_file_reference(self, document) -> str | None:
        return document.case_file.file_reference if document.case_file_id else None

    def get_document_type_name(self, document) -> str:
        # All names in one query per answer (on the list serializer for a page), not one
        # per document; an unknown key (a type since removed) shows as itself.
        if not document.document_type:
            return ""
        names = getattr(self.root, "_type_names", None)
        if names is None:
            names = self.root._type_names = document_type_names()
        return names.get(document.document_type, document.document_type)


class DocumentFilterSerializer(ReadSerializer):
    process = serializers.IntegerField(required=False, min_value=0)
    document_type = serializers.CharField(required=False, max_length=64)
    direction = serializers.ChoiceField(required=False, choices=Direction.values)
    medium = serializers.CharField(
        required=False, max_length=32, help_text="file_note: the file notes (Aktenvermerke)"
    )


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    pages = serializers.IntegerField(source="page_count")
    original_name = serializers.CharField()
    original_mime = serializers.CharField()
    original_size = serializers.IntegerField()
    original_sha256 = serializers.CharField()
    rendition_sha256 = serializers.CharField()
    rendition_is_pdfa = serializers.BooleanField()  # true only when pdfa_check is "pass"
    pdfa_check = serializers.ChoiceField(choices=PdfaCheck.values)
    text_sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()


class VersionTextSerializer(VersionSerializer):
    text = serializers.CharField()


class DocumentDetailSerializer(DocumentItemSerializer):
    versions = serializers.SerializerMethodField()

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, document) -> list:
        return VersionSerializer(
            sorted(document.versions.all(), key=lambda v: v.number), many=True
        ).data


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    file_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        help_text="file into this case file (with document_type); empty: ordinary post",
    )
    document_type = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        help_text="key of the document type",
    )
    process = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="a process of that case file",
    )
    direction = serializers.ChoiceField(
        required=False,
        choices=Direction.values,
        default=Direction.INCOMING,
        help_text="outgoing: a letter the authority sent",
    )


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class JobRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    file = serializers.CharField()
    url = serializers.CharField()


class JobsSerializer(serializers.Serializer):
    jobs = JobRefSerializer(many=True)


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    due = serializers.DateField()
    reason = serializers.CharField()
    case_file = serializers.IntegerField(source="case_file_id", allow_null=True)
    document = serializers.IntegerField(source="document_id", allow_null=True)
    assignee = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_assignee(self, follow_up) -> str | None:
        return follow_up.assignee.username if follow_up.assignee_id else None

    def get_unit(self, follow_up) -> str | None:
        return follow_up.unit.code if follow_up.unit_id else None


class HoldSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    case_file = serializers.IntegerField(source="case_file_id")
    file_reference = serializers.CharField(source="case_file.file_reference")
    reason = serializers.CharField()
    mandate = serializers.CharField()
    placed_by = serializers.CharField()
    placed_at = serializers.DateTimeField()
    lifted_by = serializers.CharField()
    lifted_at = serializers.DateTimeField(allow_null=True)
    lift_reason = serializers.CharField()


class HoldFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(required=False, choices=["active", "lifted"])
    case_file = serializers.IntegerField(required=False, min_value=0)


class PlanUnitFilterSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    parent = serializers.IntegerField(required=False, min_value=0)


class FollowUpCreateSerializer(serializers.Serializer):
    due = serializers.DateField(help_text="today or later (local date)")
    reason = serializers.CharField(max_length=500)
    assignee = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        default="",
        help_text="username of the person; empty with no unit: the caller",
    )
    unit = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        default="",
        help_text="code of the unit (its shared desk), instead of a person",
    )


class FollowUpMoveSerializer(serializers.Serializer):
    due = serializers.DateField(help_text="the new date: today or later (local date)")
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="",
        help_text="why it moves (optional; kept in the trail, sealed with the case file)",
    )


class FileNoteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(NOTE_KINDS), help_text="the type of note")
    noted_on = serializers.DateField(help_text="the day the note is about; not in the future")
    text = serializers.CharField(max_length=NOTE_MAX_TEXT)


class FileNoteCorrectionSerializer(FileNoteSerializer):
    reason = serializers.CharField(max_length=500, help_text="why the note is corrected")


class SearchParamsSerializer(serializers.Serializer):
    """The documented parameters of the v1 search (the filters are those of /api/search/)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text='words, "phrases", OR, -word, pre*, titel:word',
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=10_000, default=0)
    facets = serializers.BooleanField(
        required=False, default=False,
        help_text="also count the matches per unit, case file, type, sender, year and state "
        "(only over what the caller may read)",
    )


class FacetBucketV1Serializer(serializers.Serializer):
    value = serializers.CharField(help_text="the filter value to pass back")
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchHitV1Serializer(serializers.Serializer):
    document = serializers.IntegerField(source="document_id")
    title = serializers.CharField()
    file_reference = serializers.CharField(allow_null=True)
    snippet = serializers.CharField(help_text="with the matches marked [[like this]]")
    score = serializers.FloatField()
    document_type = serializers.CharField()
    document_type_name = serializers.CharField()
    sender = serializers.CharField()
    letter_date = serializers.DateField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    restricted = serializers.BooleanField()
    disputed = serializers.CharField()


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="matches, exact up to the configured limit; with count_exact false more "
        "than this many match"
    )
    count_exact = serializers.BooleanField()
    count_text = serializers.CharField(help_text='German, e.g. "1.234" or "mehr als 10.000"')
    next = serializers.CharField(allow_null=True, help_text="the next page, if any")
    previous = serializers.CharField(allow_null=True, help_text="the previous page, if any")
    results = SearchHitV1Serializer(many=True, source="hits")
    facets = serializers.DictField(
        child=FacetBucketV1Serializer(many=True), required=False,
        help_text="with facets=true: counts per value, labelled in German",
    )

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.services.doctypes import document_type_name, type_suggestion


class SearchHitSerializer(serializers.Serializer):
    document = serializers.IntegerField(source="document_id")
    title = serializers.CharField()
    file_reference = serializers.CharField(allow_null=True)
    snippet = serializers.CharField()
    document_type = serializers.CharField(help_text="key of the document type")
    document_type_name = serializers.CharField(help_text="its German name")
    sender = serializers.CharField()
    received_at = serializers.DateTimeField()
    letter_date = serializers.DateField(allow_null=True)
    restricted = serializers.BooleanField()
    disputed = serializers.CharField()


class FacetBucketSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="matches, exact up to the configured limit (10,000); with count_exact "
                  "false more than this many match")
    count_exact = serializers.BooleanField()
    count_text = serializers.CharField(help_text='German, e.g. "1.234" or "mehr als 10.000"')
    results = SearchHitSerializer(many=True, source="hits")
    facets = serializers.DictField(child=FacetBucketSerializer(many=True), required=False,
                                   help_text="with facets=true: counts per value")


class SuggestionsSerializer(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.CharField())


class TypeSuggestionSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, help_text="the suggested type's key")
    name = serializers.CharField(allow_blank=True)
    confidence = serializers.FloatField(allow_null=True)
    model_version = serializers.CharField(allow_null=True,
                                          help_text="null: the types' rules suggested it")
    reasons = serializers.ListField(child=serializers.CharField())


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    file_reference = serializers.SerializerMethodField()
    document_type = serializers.CharField(help_text="key of the document type; empty: none")
    document_type_name = serializers.SerializerMethodField(help_text="its German name")
    document_type_suggestion = serializers.SerializerMethodField(
        help_text="what recognition suggested when the post arrived")
    received_at = serializers.DateTimeField()
    letter_date = serializers.DateField(allow_null=True)
    version = serializers.SerializerMethodField()

    def get_file_reference(self, document) -> str | None:
        return document.case_file.file_reference if document.case_file_id else None

    def get_document_type_name(self, document) -> str:
        return document_type_name(document.document_type)

    @extend_schema_field(TypeSuggestionSerializer)
    def get_document_type_suggestion(self, document) -> dict:
        first = min(document.versions.all(), key=lambda v: v.number)
        suggestion = type_suggestion(first.provenance)
        return {**suggestion, "name": document_type_name(suggestion["value"] or "")}

    def get_version(self, document) -> dict:
        version = max(document.versions.all(), key=lambda v: v.number)
        return {"number": version.number, "pages": version.page_count,
                "original_sha256": version.original_sha256,
                "rendition_sha256": version.rendition_sha256,
                "rendition_is_pdfa": version.rendition_is_pdfa, "pdfa_check": version.pdfa_check,
                "text": version.text}


class DocumentCorrectionSerializer(serializers.Serializer):
    """PATCH /api/documents/{id}/: a wrong type and/or a wrong filing corrected in one step,
    logged as one event. Fields left out stay as they are."""
    document_type = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                          help_text="key of a document type; empty: none")
    file_reference = serializers.CharField(required=False, max_length=64,
                                           help_text="the case file the document belongs in")
    to_inbox = serializers.BooleanField(required=False, default=False,
                                        help_text="hand it back to the mailroom's inbox")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class DocumentCorrectedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    file_reference = serializers.SerializerMethodField()
    document_type = serializers.CharField()
    document_type_name = serializers.SerializerMethodField()

    def get_file_reference(self, document) -> str | None:
        return document.case_file.file_reference if document.case_file_id else None

    def get_document_type_name(self, document) -> str:
        return document_type_name(document.document_type)

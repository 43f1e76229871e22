from rest_framework import serializers


class SearchHitSerializer(serializers.Serializer):
    document = serializers.IntegerField(source="document_id")
    title = serializers.CharField()
    file_reference = serializers.CharField(allow_null=True)
    snippet = serializers.CharField()
    document_type = serializers.CharField()
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
    count = serializers.IntegerField()
    results = SearchHitSerializer(many=True, source="hits")
    facets = serializers.DictField(child=FacetBucketSerializer(many=True), required=False,
                                   help_text="with facets=true: counts per value")


class SuggestionsSerializer(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.CharField())


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    file_reference = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField()
    letter_date = serializers.DateField(allow_null=True)
    version = serializers.SerializerMethodField()

    def get_file_reference(self, document) -> str | None:
        return document.case_file.file_reference if document.case_file_id else None

    def get_version(self, document) -> dict:
        version = max(document.versions.all(), key=lambda v: v.number)
        return {"number": version.number, "pages": version.page_count,
                "original_sha256": version.original_sha256,
                "rendition_sha256": version.rendition_sha256,
                "rendition_is_pdfa": version.rendition_is_pdfa, "text": version.text}

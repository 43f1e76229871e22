"""The REST API under /api/: thin views over the same services and selectors as the pages."""

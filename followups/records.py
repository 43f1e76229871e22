"""Deadlines as plain records, for the command line (and anything else that prints them)."""
from django.utils import timezone

from .deadlines import Deadline


def deadline_record(deadline: Deadline) -> dict:
    receipt = deadline.receipt
    return {
        "document": deadline.document.pk,
        "title": deadline.document.title,
        "case_file": deadline.case_file.pk,
        "file_reference": deadline.case_file.file_reference,
        "document_type": deadline.document.document_type,
        "rule": deadline.rule.label,
        "rule_id": deadline.rule.pk,
        "example": deadline.rule.example,
        "legal_basis": deadline.rule.legal_basis,
        "period": {"months": deadline.rule.months, "days": deadline.rule.days},
        "receipt": receipt.day.isoformat(),
        "receipt_at": timezone.localtime(receipt.at).isoformat(),
        "receipt_from_trail": receipt.from_trail,
        "receipt_event": receipt.seq,
        "end": deadline.end.isoformat(),
        "moved_from": (deadline.unmoved_end.isoformat()
                       if deadline.end != deadline.unmoved_end else None),
        "risk": deadline.risk,
    }

from .events import AuditState, ChainHead, Event
from .grants import BreakGlass, Share
from .organisation import Role, StaffProfile, Unit
from .records import (
    CaseFile,
    Confidentiality,
    Document,
    FilePlanUnit,
    FileReferenceCounter,
    Process,
    Version,
)

__all__ = [
    "AuditState",
    "BreakGlass",
    "CaseFile",
    "Confidentiality",
    "ChainHead",
    "Document",
    "Event",
    "FilePlanUnit",
    "FileReferenceCounter",
    "Process",
    "Role",
    "Share",
    "StaffProfile",
    "Unit",
    "Version",
]

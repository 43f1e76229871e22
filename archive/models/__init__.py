from .analysis import TrailAnalysis
from .correspondents import Correspondent
from .doctypes import DocumentType
from .events import AuditState, ChainHead, Event, TrailCut
from .grants import BreakGlass, Share
from .organisation import Role, StaffProfile, Unit
from .records import (
    CaseFile,
    Confidentiality,
    Direction,
    Document,
    FilePlanUnit,
    FileReferenceCounter,
    PdfaCheck,
    Process,
    Version,
)
from .scanqa import PaperRelease, ProtectionNeed, ScanCheck, ScanResult, ScanSampleCounter
from .sealed import PayloadKey

__all__ = [
    "AuditState",
    "BreakGlass",
    "CaseFile",
    "Confidentiality",
    "Correspondent",
    "Direction",
    "ChainHead",
    "Document",
    "DocumentType",
    "Event",
    "FilePlanUnit",
    "FileReferenceCounter",
    "PaperRelease",
    "PayloadKey",
    "PdfaCheck",
    "Process",
    "ProtectionNeed",
    "Role",
    "ScanCheck",
    "ScanResult",
    "ScanSampleCounter",
    "Share",
    "StaffProfile",
    "TrailAnalysis",
    "TrailCut",
    "Unit",
    "Version",
]

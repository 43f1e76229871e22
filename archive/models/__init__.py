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
    Process,
    Version,
)
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
    "PayloadKey",
    "Process",
    "Role",
    "Share",
    "StaffProfile",
    "TrailAnalysis",
    "TrailCut",
    "Unit",
    "Version",
]

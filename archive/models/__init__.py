from .events import ChainHead, Event
from .organisation import Role, StaffProfile, Unit
from .records import CaseFile, Document, FilePlanUnit, FileReferenceCounter, Process, Version

__all__ = [
    "CaseFile",
    "ChainHead",
    "Document",
    "Event",
    "FilePlanUnit",
    "FileReferenceCounter",
    "Process",
    "Role",
    "StaffProfile",
    "Unit",
    "Version",
]

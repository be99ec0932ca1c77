"""The reference library's models: `references` (Reference, Citation) and `notices`
(ReferenceNotice, RetractionCheck). Every public name is importable from here."""

from .notices import (
    BLOCKING_NOTICE_KINDS,
    NoticeKind,
    ReferenceNotice,
    ReferenceNoticeQuerySet,
    RetractionCheck,
)
from .references import (
    CITATION_LABEL_RE,
    EVIDENCE_KEYWORDS,
    Citation,
    EvidenceLevel,
    Reference,
    ReferenceQuerySet,
    ReferenceType,
    evidence_level_for,
)

# django-simple-history's model of Reference's versions, importable here as before.
HistoricalReference = Reference.history.model

__all__ = [
    "BLOCKING_NOTICE_KINDS",
    "CITATION_LABEL_RE",
    "EVIDENCE_KEYWORDS",
    "Citation",
    "EvidenceLevel",
    "HistoricalReference",
    "NoticeKind",
    "Reference",
    "ReferenceNotice",
    "ReferenceNoticeQuerySet",
    "ReferenceQuerySet",
    "ReferenceType",
    "RetractionCheck",
    "evidence_level_for",
]

"""The editorial domain, one module per concern; every public name is importable from here.

- `topics`: topics (their names in other languages, the structure new answers start
  with), questions, contributors
- `answer`: the answer, its content hash, its queries, its sections
- `rules`: who may do what to an answer now, and why not (`Answer.refusals`)
- `transitions`: submit, assign, request changes, reschedule, preview, withdraw, revert
- `approval`: a clinician's sign-offs: approve, confirm still accurate
- `signoffs`: the electronic signature on the exact content approved
- `routes`: a topic's review route (ordered steps) and the steps taken on a submission
- `publication`: the public snapshot, its queries and search document
- `feedback`: reader feedback, clinician's comments and replies
- `preview`: preview links for outside reviewers and their comments
- `glossary`: plain definitions of the words readers meet, signed off like answers
- `links`: the outbound links readers follow, and whether they still work
- `releases`: answers grouped to go live together, held sign-offs, taking a release back
- `pages`: the publisher's own pages
- `house_words`: the house list of words to avoid and their plain alternatives
- `imports`: uploads the task worker imports, with their progress
- `search`: synonym sets, promoted answers, the published words, the search counts
- `translations`: an answer in other languages, made from one approved version of it
- `workflow`: what every workflow does around a transition: refuse, lock, record
- `choices`, `errors`: the vocabularies and what a refused transition raises
"""

from .answer import Answer, AnswerQuerySet, Section
from .approval import CHANGE_SUMMARY_MAX, FIRST_PUBLISHED, AnswerApproval
from .choices import (
    CERTAINTY_PLAIN_WORDS,
    Action,
    AnswerStatus,
    Certainty,
    FeedbackKind,
    SectionKind,
)
from .errors import SignatureRefused, StaleSignature, WorkflowError
from .feedback import (
    READER_REPORT,
    FeedbackOutcome,
    ProblemReport,
    ReaderFeedback,
    ReviewComment,
    ReviewCommentReply,
)
from .glossary import (
    GlossarySignOff,
    GlossaryTerm,
    TermStatus,
    split_other_names,
    validate_definition,
)
from .house_words import HouseWord, HouseWordImportError, import_house_words
from .imports import ImportJob
from .links import LinkStatus, OutboundLink
from .pages import SitePage
from .preview import PreviewComment, PreviewLink
from .publication import (
    SEARCH_CONFIG,
    PublishedAnswer,
    PublishedAnswerQuerySet,
    search_document,
    search_document_of_columns,
)
from .releases import (
    AnswerReleases,
    Release,
    ReleaseError,
    ReleaseEvent,
    ReleaseMember,
    ReleaseState,
)
from .routes import (
    Quorum,
    ReviewStep,
    ReviewStepRecord,
    RouteProgress,
    StepKind,
    progress_of,
    route_problems,
    step_labels,
)
from .rules import NOT_YOUR_SIGN_OFF, AnswerRules, medical_reviewers
from .search import (
    SearchCount,
    SearchPromotion,
    SearchWord,
    SynonymSet,
    SynonymTerm,
    parse_synonym_terms,
)
from .signoffs import SIGNOFF_MEANING, WRONG_SIGNATURE, SignOff, check_signature
from .topics import (
    HOUSE_STRUCTURE,
    ONE_LINE,
    Contributor,
    FormerContributorSlug,
    Question,
    Topic,
    TopicName,
    TopicSection,
    unique_slug,
    validate_one_line,
)
from .transitions import AnswerTransitions
from .translations import (
    PublishedTranslation,
    SourceVersion,
    TranslatedSection,
    Translation,
    TranslationSignOff,
    language_name,
    text_search_config,
    translation_search_document,
)

# django-simple-history's audit-log models, importable here as they were before the split.
HistoricalAnswer = Answer.history.model
HistoricalSitePage = SitePage.history.model
HistoricalGlossaryTerm = GlossaryTerm.history.model
HistoricalTranslation = Translation.history.model

__all__ = [
    "CERTAINTY_PLAIN_WORDS",
    "CHANGE_SUMMARY_MAX",
    "FIRST_PUBLISHED",
    "HOUSE_STRUCTURE",
    "NOT_YOUR_SIGN_OFF",
    "ONE_LINE",
    "READER_REPORT",
    "SEARCH_CONFIG",
    "SIGNOFF_MEANING",
    "WRONG_SIGNATURE",
    "Action",
    "Answer",
    "AnswerApproval",
    "AnswerQuerySet",
    "AnswerReleases",
    "AnswerRules",
    "AnswerStatus",
    "AnswerTransitions",
    "Certainty",
    "Contributor",
    "FormerContributorSlug",
    "FeedbackKind",
    "FeedbackOutcome",
    "GlossarySignOff",
    "GlossaryTerm",
    "HistoricalAnswer",
    "HistoricalGlossaryTerm",
    "HistoricalSitePage",
    "HistoricalTranslation",
    "HouseWord",
    "HouseWordImportError",
    "ImportJob",
    "LinkStatus",
    "OutboundLink",
    "PreviewComment",
    "ProblemReport",
    "PreviewLink",
    "PublishedAnswer",
    "PublishedAnswerQuerySet",
    "PublishedTranslation",
    "SourceVersion",
    "TranslatedSection",
    "Translation",
    "TranslationSignOff",
    "language_name",
    "text_search_config",
    "translation_search_document",
    "Question",
    "ReaderFeedback",
    "Release",
    "ReleaseError",
    "ReleaseEvent",
    "ReleaseMember",
    "ReleaseState",
    "ReviewComment",
    "Quorum",
    "ReviewStep",
    "ReviewStepRecord",
    "RouteProgress",
    "StepKind",
    "progress_of",
    "route_problems",
    "step_labels",
    "ReviewCommentReply",
    "SearchCount",
    "SearchPromotion",
    "SearchWord",
    "Section",
    "SectionKind",
    "SignOff",
    "SignatureRefused",
    "StaleSignature",
    "SynonymSet",
    "SynonymTerm",
    "SitePage",
    "TermStatus",
    "Topic",
    "TopicName",
    "TopicSection",
    "WorkflowError",
    "check_signature",
    "import_house_words",
    "medical_reviewers",
    "parse_synonym_terms",
    "search_document",
    "split_other_names",
    "search_document_of_columns",
    "unique_slug",
    "validate_one_line",
    "validate_definition",
]

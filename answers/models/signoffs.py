"""A clinician's electronic signature on the exact content they approved."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.models import ChainedRecord

from ..people import printed_name
from .errors import SignatureRefused, StaleSignature


def check_signature(user, password):
    """A sign-off is an electronic signature: the signer's own password, or nothing is signed."""
    if not password or not user.check_password(password):
        raise SignatureRefused(WRONG_SIGNATURE)


STALE_SIGNATURE = (
    "Nothing was signed and nothing was published: this answer changed after your page was "
    "opened, so you would have signed words you did not see. Read the new version, then sign it."
)
NO_SHOWN_VERSION = (
    "Nothing was signed: the request did not say which version of the answer you read. "
    "Sign from the review page, which shows the answer."
)


def check_shown(shown_hash, current_hash):
    """A signature means "I saw exactly this": the content hash the signing page displayed
    must be the content's hash now, or nothing is signed."""
    if not shown_hash:
        raise StaleSignature(NO_SHOWN_VERSION)
    if shown_hash != current_hash:
        raise StaleSignature(STALE_SIGNATURE, shown_hash=shown_hash)


# What a clinician's sign-off means, recorded with each one (21 CFR Part 11 asks that an
# electronic signature show the signer's printed name, the time and the meaning).
SIGNOFF_MEANING = "Medically reviewed and approved"
WRONG_SIGNATURE = (
    "The password was not right, so nothing was signed and nothing was published. "
    "Type the password you sign in with."
)


class SignOff(ChainedRecord):
    """A clinician's approval, bound to the exact content approved (revision and SHA-256):
    an electronic signature, given with their password, recording their printed name, the
    time and what it means. Each carries the hash of the sign-off before it (`audit`)."""

    audit_when, audit_who, audit_subject = "created_at", "signer_name", "answer_id"

    answer = models.ForeignKey("answers.Answer", on_delete=models.CASCADE, related_name="signoffs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs"
    )
    signer_name = models.CharField(
        "signed by",
        max_length=260,
        help_text="The signer's printed name with credentials, as it stood when they signed.",
    )
    meaning = models.CharField("meaning of the signature", max_length=100)
    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.PROTECT, related_name="signoffs"
    )
    content_hash = models.CharField("SHA-256 of the approved content", max_length=64)
    sources_checked = models.BooleanField()
    wording_safe = models.BooleanField()
    comment = models.TextField(blank=True)
    change_summary = models.CharField(
        "what changed",
        max_length=200,
        blank=True,
        help_text="One line for the public change log, written by the clinician.",
    )
    is_correction = models.BooleanField(
        "correction",
        default=False,
        help_text="This version corrects an error in the previous one: flagged to readers.",
    )
    created_at = models.DateTimeField("signed at", default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(sources_checked=True, wording_safe=True),
                name="signoff_checklist_confirmed",
            ),
            models.CheckConstraint(
                condition=~Q(signer_name="") & ~Q(meaning=""),
                name="signoff_signer_and_meaning_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.meaning} by {self.signer_name} on {self.created_at:%d %b %Y}"

    @classmethod
    def record(cls, *, answer, by, at, revision, content_hash, comment="", **details):
        """The signature of `by` (whose password the caller checked) on exactly this content."""
        return cls.objects.create(
            answer=answer,
            reviewer=by,
            signer_name=printed_name(by),
            meaning=SIGNOFF_MEANING,
            created_at=at,
            revision=revision,
            content_hash=content_hash,
            sources_checked=True,
            wording_safe=True,
            comment=(comment or "").strip(),
            **details,
        )

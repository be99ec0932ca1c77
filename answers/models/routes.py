"""Review routes: a topic's ordered review steps (each a group of people, a sign-off or a
comment-only reading, by any one or two different people), the record each step leaves,
and where an answer in review stands on its route. A topic without steps has the default
route, one medical reviewer's sign-off, exactly as before routes existed."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.models import ChainedRecord

from ..people import printed_name


class StepKind(models.TextChoices):
    SIGN_OFF = "sign_off", "Sign-off (password-signed)"
    COMMENT = "comment", "Comment only (marked reviewed)"


class Quorum(models.TextChoices):
    ANY_ONE = "any_one", "Any one"
    TWO_PEOPLE = "two_people", "Two different people"


REVIEWING_PERMISSION = ("answers", "review_answer")
LAST_STEP_SIGNS = (
    "The last step must be a sign-off by a group of medical reviewers (a group with the "
    "permission to approve answers): its signature is what publishes the answer."
)


class ReviewStep(models.Model):
    """One step of a topic's review route, taken in `position` order."""

    topic = models.ForeignKey(
        "answers.Topic", on_delete=models.CASCADE, related_name="review_steps"
    )
    position = models.PositiveSmallIntegerField(default=1)
    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.PROTECT,
        related_name="review_steps",
        help_text="Who takes this step: any member who did not write the answer.",
    )
    kind = models.CharField(max_length=20, choices=StepKind, default=StepKind.SIGN_OFF)
    quorum = models.CharField(
        "who must take it",
        max_length=20,
        choices=Quorum,
        default=Quorum.ANY_ONE,
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "position"], name="review_step_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StepKind.values), name="review_step_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(quorum__in=Quorum.values), name="review_step_quorum_valid"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.group.name}: {self.get_kind_display()}"

    @property
    def needed(self) -> int:
        """How many different people must take this step."""
        return 2 if self.quorum == Quorum.TWO_PEOPLE else 1


def group_reviews(group) -> bool:
    """Whether the group's members may approve answers (the final signature publishes)."""
    app_label, codename = REVIEWING_PERMISSION
    return group.permissions.filter(content_type__app_label=app_label, codename=codename).exists()


def route_problems(steps) -> list[str]:
    """What is wrong with a route (its steps in order, unsaved ones too): an empty list is
    the default route, one medical reviewer's sign-off."""
    steps = list(steps)
    if not steps:
        return []
    problems = []
    positions = [step.position for step in steps]
    if len(set(positions)) != len(positions):
        problems.append("Two steps have the same position: number them 1, 2, 3 in order.")
    last = max(steps, key=lambda step: step.position)
    if last.kind != StepKind.SIGN_OFF or not group_reviews(last.group):
        problems.append(LAST_STEP_SIGNS)
    return problems


class ReviewStepRecord(ChainedRecord):
    """A step taken on one submission: signed with the signer's password (a sign-off step)
    or marked reviewed (a comment-only step), bound to the submitted revision and its content
    hash. One person takes at most one step of a submission (the unique constraint holds it
    when two act at once). A send-back, or any change to the content, leaves the records of
    the old submission standing in the log, but they count no more."""

    audit_when, audit_who, audit_subject = "created_at", "signer_name", "answer_id"

    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="step_records"
    )
    step = models.ForeignKey(
        ReviewStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        help_text="Empty when an editor removed the step from the route since.",
    )
    position = models.PositiveSmallIntegerField("step")
    group_name = models.CharField("group", max_length=150)
    kind = models.CharField(max_length=20, choices=StepKind)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="step_records"
    )
    signer_name = models.CharField("taken by", max_length=260)
    meaning = models.CharField(max_length=200)
    revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.PROTECT,
        related_name="step_records",
        help_text="The submitted version: the submission this step belongs to.",
    )
    content_hash = models.CharField("SHA-256 of the content reviewed", max_length=64)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField("taken at", default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        get_latest_by = "created_at"
        verbose_name = "review step taken"
        verbose_name_plural = "review steps taken"
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "revision", "reviewer"],
                name="step_record_one_step_per_person_per_submission",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StepKind.values), name="step_record_kind_valid"
            ),
        ]

    def __str__(self):
        return f"Step {self.position} ({self.group_name}): {self.meaning} by {self.signer_name}"

    @classmethod
    def record(cls, *, answer, state, by, comment=""):
        """`by` took `state`'s step on the submitted version (the caller checked the rules
        and, for a sign-off, the password)."""
        step = state.step
        meaning = (
            f"Signed off step {state.number} of {state.total}: {step.group.name}"
            if step.kind == StepKind.SIGN_OFF
            else f"Reviewed (comment only), step {state.number} of {state.total}: {step.group.name}"
        )
        return cls.objects.create(
            answer=answer,
            step=step,
            position=step.position,
            group_name=step.group.name,
            kind=step.kind,
            reviewer=by,
            signer_name=printed_name(by),
            meaning=meaning,
            revision=answer.submitted_revision,
            content_hash=answer.submitted_hash,
            comment=(comment or "").strip(),
        )


@dataclass
class StepState:
    """One step of the route for the submission under review, with who took it."""

    step: ReviewStep
    number: int
    total: int
    records: list = field(default_factory=list)

    @property
    def done(self) -> bool:
        return len({record.reviewer_id for record in self.records}) >= self.step.needed

    @property
    def missing(self) -> int:
        return max(self.step.needed - len({r.reviewer_id for r in self.records}), 0)

    @property
    def label(self) -> str:
        return f"Step {self.number} of {self.total}: {self.step.group.name}"

    @property
    def is_last(self) -> bool:
        return self.number == self.total


@dataclass
class RouteProgress:
    """Where the submission stands on its topic's route: `current` is the first step not
    yet done (None when every step is)."""

    steps: list
    problems: list

    @property
    def current(self):
        return next((state for state in self.steps if not state.done), None)

    @property
    def people(self) -> set[int]:
        """Who took a step of this submission already (nobody takes two)."""
        return {record.reviewer_id for state in self.steps for record in state.records}

    @property
    def publishes_next(self) -> bool:
        """Whether the next signature completes the route (and so publishes)."""
        current = self.current
        return current is not None and current.is_last and current.missing == 1

    @property
    def label(self) -> str:
        current = self.current
        return current.label if current is not None else ""


def progress_of(answer, *, steps=None, records=None, content_hash=None) -> RouteProgress | None:
    """The answer's route and where its submission stands (None: the default route).
    Records count only for the submission under review and its content as submitted:
    a send-back or any change to the content voids them. `steps` and `records` let a list
    page pass what it fetched for many answers at once; `content_hash`, the content's hash
    now when the caller knows it (a change made in review voids what was taken)."""
    if steps is None:
        steps = list(
            ReviewStep.objects.filter(topic_id=answer.question.topic_id).select_related("group")
        )
    if not steps:
        return None
    if records is None:
        records = (
            list(
                ReviewStepRecord.objects.filter(
                    answer=answer,
                    revision_id=answer.submitted_revision_id,
                    content_hash=answer.submitted_hash,
                )
            )
            if answer.status == answer.Status.IN_REVIEW and answer.submitted_revision_id
            else []
        )
    if content_hash is not None and content_hash != answer.submitted_hash:
        records = []
    total = len(steps)
    states = []
    for number, step in enumerate(steps, start=1):
        taken = [r for r in records if r.step_id == step.pk]
        states.append(StepState(step=step, number=number, total=total, records=taken))
    return RouteProgress(steps=states, problems=route_problems(steps))


def progress_by_answer(answers) -> dict[int, RouteProgress]:
    """Each routed answer in review's progress on its route, in two queries (for lists)."""
    in_review = [a for a in answers if a.status == a.Status.IN_REVIEW and a.submitted_revision_id]
    if not in_review:
        return {}
    topics = {a.question.topic_id for a in in_review}
    steps_by_topic: dict[int, list] = {}
    for step in ReviewStep.objects.filter(topic_id__in=topics).select_related("group"):
        steps_by_topic.setdefault(step.topic_id, []).append(step)
    routed = [a for a in in_review if a.question.topic_id in steps_by_topic]
    if not routed:
        return {}
    records_by_answer: dict[int, list] = {}
    rows = ReviewStepRecord.objects.filter(answer__in=[a.pk for a in routed])
    for record in rows.only("answer_id", "step_id", "reviewer_id", "revision_id", "content_hash"):
        records_by_answer.setdefault(record.answer_id, []).append(record)
    found = {}
    for answer in routed:
        records = [
            r
            for r in records_by_answer.get(answer.pk, [])
            if r.revision_id == answer.submitted_revision_id
            and r.content_hash == answer.submitted_hash
        ]
        found[answer.pk] = progress_of(
            answer, steps=steps_by_topic[answer.question.topic_id], records=records
        )
    return found


def step_labels(answers) -> dict[int, str]:
    """The label "Step 2 of 3: Lay readers" for each answer in review on a route (the answer
    list and My work show it beside each answer)."""
    return {pk: progress.label for pk, progress in progress_by_answer(answers).items()}


def waiting_for(user, answers) -> list[int]:
    """Which of these routed answers in review wait for `user`: the step now due is their
    group's, and they have not taken a step of this submission already."""
    groups = set(user.groups.values_list("pk", flat=True))
    waiting = []
    for pk, progress in progress_by_answer(answers).items():
        current = progress.current
        if current and current.step.group_id in groups and user.pk not in progress.people:
            waiting.append(pk)
    return waiting

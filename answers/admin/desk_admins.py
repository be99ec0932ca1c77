"""The rest of the desk: topics, questions, contributors, sign-offs, publications, reader
feedback, the house word list and the audit log."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from ..models import (
    Answer,
    Contributor,
    HouseWord,
    PublishedAnswer,
    PublishedTranslation,
    Question,
    ReaderFeedback,
    ReviewStepRecord,
    SignOff,
    Topic,
    TopicName,
    language_name,
)
from ..models.house_words import normalise_word
from ..models.releases import send_renamed_topic_for_review
from ..people import display_name
from ..roles import is_editor
from .forms import ContributorForm
from .inlines import ReviewStepInline, TopicNameInline, TopicSectionInline
from .search import NulSafeSearch


class ReadOnlyAdmin(NulSafeSearch):
    """Records the workflow writes; people only look at them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- audit log


class WhoFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "who"


class KindOfEntryFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "kind of entry"


class WhenFilter(admin.DateFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "when"


@admin.register(Answer.history.model)
class AuditLogAdmin(ReadOnlyAdmin):
    """simple-history's rows for answers: every transition and save, with who and why."""

    list_display = ["when", "who", "answer", "status", "what"]
    list_display_links = ["when"]
    list_filter = [
        "status",
        ("history_type", KindOfEntryFilter),
        ("history_user", WhoFilter),
        ("history_date", WhenFilter),
    ]
    list_select_related = ["history_user__contributor", "question"]
    search_fields = ["question__text"]
    ordering = ["-history_date", "-history_id"]
    date_hierarchy = "history_date"

    @admin.display(description="when", ordering="history_date")
    def when(self, record):
        return record.history_date

    @admin.display(description="who", ordering="history_user")
    def who(self, record):
        return display_name(record.history_user) if record.history_user else "(system)"

    @admin.display(description="answer", ordering="question__text")
    def answer(self, record):
        try:
            question = record.question
        except Question.DoesNotExist:
            return "(deleted)"
        if Answer.objects.filter(pk=record.id).exists():
            url = reverse("admin:answers_answer_change", args=[record.id])
            return format_html('<a href="{}">{}</a>', url, question.text)
        return question.text

    @admin.display(description="what")
    def what(self, record):
        if record.history_change_reason:
            return record.history_change_reason
        return {"+": "Created", "~": "Changed", "-": "Deleted"}.get(record.history_type, "")


# ---------------------------------------------------------------- the rest of the desk


@admin.register(Topic)
class TopicAdmin(NulSafeSearch):
    list_display = ["name", "slug", "question_count"]
    inlines = [TopicSectionInline, ReviewStepInline, TopicNameInline]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_inlines(self, request, obj):
        """Names in other languages only where the site is translated."""
        if settings.CONTENT_LANGUAGES:
            return self.inlines
        return [inline for inline in self.inlines if inline is not TopicNameInline]

    def save_formset(self, request, form, formset, change):
        """A name given or changed in a language reaches the topic's pages in it at once;
        say which published translations keep what their clinician approved."""
        named = []
        if formset.model is TopicName:
            named = [
                (f.instance.pk is None, f.instance.language, f.cleaned_data.get("name"))
                for f in formset.forms
                if f.has_changed()
                and f.cleaned_data
                and not f.cleaned_data.get("DELETE")
                and "name" in f.changed_data
            ]
        super().save_formset(request, form, formset, change)
        for new, language, name in named:
            self._say_what_keeps_the_old_name(request, form.instance, language, name, new=new)

    def _say_what_keeps_the_old_name(self, request, topic, language, name, *, new):
        published = (
            PublishedTranslation.objects.filter(
                language=language,
                withdrawn_at__isnull=True,
                translation__answer__publication__topic=topic,
            )
            .order_by("question")
            .values_list("question", flat=True)
        )
        if not published:
            return
        language = language_name(language)
        kept = "the general disclaimer, without the topic's name" if new else "the name before"
        messages.warning(
            request,
            f"The {language} topic page now says “{name}”. The {len(published)} published "
            f"{language} translations in this topic keep {kept} in their disclaimer and "
            "breadcrumb until a clinician approves each again (it is part of what was "
            f"signed): {'; '.join(published)}.",
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A rename of a topic with published answers first shows which of them keep the
        old name until approved again (it is part of what a clinician signed), and offers
        to send them for review together, as a release."""
        if request.method == "POST" and object_id and not request.POST.get("rename_choice"):
            topic = self.get_object(request, unquote(object_id))
            new_name = " ".join(request.POST.get("name", "").split())
            if topic is not None and new_name and new_name != topic.name:
                affected = (
                    PublishedAnswer.objects.filter(topic=topic, withdrawn_at__isnull=True)
                    .select_related("answer")
                    .order_by("question")
                )
                if affected:
                    return TemplateResponse(
                        request,
                        "admin/answers/topic/rename_confirm.html",
                        {
                            **self.admin_site.each_context(request),
                            "opts": self.opts,
                            "title": f"Rename “{topic.name}” to “{new_name}”?",
                            "topic": topic,
                            "new_name": new_name,
                            "affected": affected,
                            "posted": [
                                (key, value)
                                for key, values in request.POST.lists()
                                if key != "csrfmiddlewaretoken"
                                for value in values
                            ],
                            "may_release": is_editor(request.user),
                        },
                    )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, topic, form, change):
        old_name = Topic.objects.get(pk=topic.pk).name if change else None
        super().save_model(request, topic, form, change)
        if (
            change
            and old_name != topic.name
            and request.POST.get("rename_choice") == "release"
            and is_editor(request.user)
        ):
            release, notes = send_renamed_topic_for_review(
                topic, old_name=old_name, by=request.user
            )
            messages.success(
                request,
                f"Release “{release.name}” made with {release.members.count()} answers: "
                + "; ".join(notes)
                + ".",
            )

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, topic):
        return topic.question_count


@admin.register(Question)
class QuestionAdmin(NulSafeSearch):
    """Questions are edited on their answer's page, where every change is versioned and
    goes through medical review; here they can be found and looked at."""

    list_display = ["text", "topic", "answer_status", "answer_link"]
    list_filter = [("topic", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["topic", "answer"]
    search_fields = ["text", "slug"]
    fields = ["text", "slug", "topic", "answer_link"]
    readonly_fields = ["answer_link"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="status")
    def answer_status(self, question):
        answer = getattr(question, "answer", None)
        return answer.get_status_display() if answer else "No answer"

    @admin.display(description="answer")
    def answer_link(self, question):
        answer = getattr(question, "answer", None)
        if answer is None:
            return "–"
        url = reverse("admin:answers_answer_change", args=[answer.pk])
        return format_html('<a href="{}">Edit on the answer’s page</a>', url)


@admin.register(Contributor)
class ContributorAdmin(NulSafeSearch):
    form = ContributorForm
    list_display = ["display_name", "credentials", "role_title", "user", "orcid", "slug"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "credentials"]
    fields = [*ContributorForm.Meta.fields, "former_addresses"]
    readonly_fields = ["former_addresses"]

    @admin.display(description="former addresses")
    def former_addresses(self, contributor):
        """Kept for the bylines approved before a change; they redirect to the page."""
        slugs = [former.slug for former in contributor.former_slugs.all()] if contributor.pk else []
        return ", ".join(f"/contributors/{slug}/" for slug in slugs) or "None"


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = [
        "answer",
        "signer_name",
        "created_at",
        "meaning",
        "change_summary",
        "is_correction",
        "comment",
    ]
    list_select_related = ["answer__question"]
    search_fields = ["answer__question__text", "signer_name"]
    list_filter = [("reviewer", admin.RelatedOnlyFieldListFilter), "created_at"]
    fields = [
        "answer",
        "signer_name",
        "reviewer",
        "created_at",
        "meaning",
        "sources_checked",
        "wording_safe",
        "comment",
        "revision",
        "content_hash",
    ]


@admin.register(ReviewStepRecord)
class ReviewStepRecordAdmin(ReadOnlyAdmin):
    """The steps taken on topics' review routes: each a signature or a "reviewed" mark on
    one submission's content (the final signature is also a sign-off)."""

    list_display = ["answer", "position", "group_name", "signer_name", "created_at", "meaning"]
    list_select_related = ["answer__question"]
    search_fields = ["answer__question__text", "signer_name", "group_name"]
    list_filter = ["kind", "group_name", "created_at"]
    fields = [
        "answer",
        "position",
        "group_name",
        "kind",
        "signer_name",
        "reviewer",
        "created_at",
        "meaning",
        "comment",
        "revision",
        "content_hash",
    ]


class ScheduledFilter(admin.SimpleListFilter):
    """Editors' list of scheduled changes: a go-live or take-down still to come."""

    title = "schedule"
    parameter_name = "scheduled"

    def lookups(self, request, model_admin):
        return [("yes", "Scheduled changes")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset & PublishedAnswer.objects.scheduled()
        return queryset


@admin.register(PublishedAnswer)
class PublishedAnswerAdmin(ReadOnlyAdmin):
    list_display = [
        "question",
        "topic",
        "approved_at",
        "next_review_due",
        "state",
        "live_from",
        "take_down_at",
        "schedule_link",
        "public_link",
        "helpful_votes",
        "not_helpful_votes",
        "open_reports",
    ]
    list_select_related = ["topic"]
    list_filter = [ScheduledFilter, ("topic", admin.RelatedOnlyFieldListFilter), "withdrawn_at"]
    search_fields = ["question"]
    fields = [
        "question",
        "slug",
        "topic",
        "public_link",
        "first_published_at",
        "approved_at",
        "next_review_due",
        "signoff",
        "content_hash",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
        "live_from",
        "take_down_at",
        "take_down_reason",
        "take_down_by",
    ]
    readonly_fields = ["public_link"]

    def get_queryset(self, request):
        """Readers' votes and open problem reports per answer, counted in the list's query."""
        feedback = ReaderFeedback.objects.filter(answer=OuterRef("answer_id"))

        def count(**where):
            return Subquery(
                feedback.filter(**where)
                .order_by()
                .values("answer")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            )

        return (
            super()
            .get_queryset(request)
            .annotate(
                helpful=count(kind=ReaderFeedback.Kind.HELPFUL),
                not_helpful=count(kind=ReaderFeedback.Kind.NOT_HELPFUL),
                open_problems=count(kind=ReaderFeedback.Kind.PROBLEM, resolved=False),
            )
        )

    @admin.display(description="helpful", ordering="helpful")
    def helpful_votes(self, publication):
        return publication.helpful or 0

    @admin.display(description="not helpful", ordering="not_helpful")
    def not_helpful_votes(self, publication):
        return publication.not_helpful or 0

    @admin.display(description="open reports", ordering="open_problems")
    def open_reports(self, publication):
        return publication.open_problems or 0

    @admin.display(description="state")
    def state(self, publication):
        return publication.state

    @admin.display(description="change schedule")
    def schedule_link(self, publication):
        if publication.withdrawn_at:
            return "–"
        url = reverse("admin:answers_answer_schedule", args=[publication.answer_id])
        return format_html('<a href="{}">Schedule</a>', url)

    @admin.display(description="public page")
    def public_link(self, publication):
        return format_html('<a href="{}">View</a>', reverse("question", args=[publication.slug]))


class HouseWordForm(forms.ModelForm):
    class Meta:
        model = HouseWord
        fields = ["word", "alternative"]

    def clean_word(self):
        """Compared as stored (spaces collapsed, lower case), so a duplicate is refused
        here with a message rather than by the database."""
        return normalise_word(self.cleaned_data["word"])


@admin.register(HouseWord)
class HouseWordAdmin(NulSafeSearch):
    """Words to avoid and their plain alternatives: the checklist warns where an answer
    uses one. Import many at once with `manage.py import_house_words FILE.csv`."""

    form = HouseWordForm
    list_display = ["word", "alternative", "updated_at"]
    search_fields = ["word", "alternative"]

"""Releases in the admin (editors only): group answers, set when they go live together,
publish on command after a confirmation page, take a published release back; each member's
state and what stops it, and the release's audit log, on its page."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from ..models import Answer, Release, ReleaseError, ReleaseEvent, ReleaseMember
from .desk_admins import ReadOnlyAdmin
from .search import NulSafeSearch


def member_state(release, member) -> str:
    """A member's state in words, for the release page."""
    answer = member.answer
    if not release.is_open:
        return "Published with this release" if release.state == "published" else "Taken back"
    if answer.status == Answer.Status.APPROVED and member.signoff_id:
        return f"Approved, waiting for release “{release.name}”"
    return answer.get_status_display()


class ReleaseForm(forms.ModelForm):
    add_answers = forms.ModelMultipleChoiceField(
        label="Add answers",
        queryset=Answer.objects.none(),
        required=False,
        help_text="Each is reviewed and signed off on its own; a signed one waits for the "
        "release. An answer waits for one release at a time.",
        # Type to find answers (the admin's autocomplete, through AnswerAdmin's search): a
        # list of every answer was a page of 10,000 options at scale.
        widget=AutocompleteSelectMultiple(ReleaseMember._meta.get_field("answer"), admin.site),
    )

    class Meta:
        model = Release
        fields = ["name", "description", "publish_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add_answers"].queryset = Answer.objects.select_related("question")
        if self.instance.pk and not self.instance.is_open:
            for name in list(self.fields):
                self.fields[name].disabled = True

    def clean_add_answers(self):
        """Every answer chosen can join, or none is added: one already waiting for another
        release is named."""
        answers = self.cleaned_data["add_answers"]
        waiting = (
            ReleaseMember.objects.filter(answer__in=answers, pending=True)
            .exclude(release=self.instance.pk)
            .select_related("answer__question", "release")
        )
        problems = [
            f"“{member.answer}” is already in release “{member.release}”: take it out there first."
            for member in waiting
        ]
        if problems:
            raise forms.ValidationError(problems)
        return answers

    def clean_publish_at(self):
        when = self.cleaned_data["publish_at"]
        changed = "publish_at" in self.changed_data
        if when is not None and changed and when <= timezone.now():
            raise forms.ValidationError(
                "Go live at must be in the future: leave it empty to publish on command."
            )
        return when


@admin.register(Release)
class ReleaseAdmin(NulSafeSearch, admin.ModelAdmin):
    form = ReleaseForm
    list_display = ["name", "status", "answer_count"]
    search_fields = ["name", "members__answer__question__text"]
    change_form_template = "admin/answers/release/change_form.html"

    # The pages follow the Editors group's permissions (cached per request: the admin's
    # menu asks on every page); the model's methods check `is_editor` on every path.
    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="status")
    def status(self, release):
        return release.status_text()

    @admin.display(description="answers")
    def answer_count(self, release):
        return release.members.count()

    def save_model(self, request, release, form, change):
        publish_at = form.cleaned_data.get("publish_at")
        if not change:
            release.created_by = request.user
            release.publish_at = None
            release.save()
            release._log(ReleaseEvent.Kind.CREATED, by=request.user, detail="")
        else:
            stored = Release.objects.get(pk=release.pk).publish_at
            release.publish_at = stored  # changed through `schedule` only, below
            release.save(update_fields=["name", "description"])
        try:
            if not change or "publish_at" in form.changed_data:
                release.schedule(publish_at, by=request.user)
            for answer in form.cleaned_data.get("add_answers") or []:
                release.add(answer, by=request.user)
        except ReleaseError as error:
            for problem in error.problems:
                messages.error(request, problem)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/publish/",
                view(self.publish_view),
                name="answers_release_publish",
            ),
            path(
                "<path:object_id>/take-back/",
                view(self.take_back_view),
                name="answers_release_take_back",
            ),
            path(
                "<path:object_id>/remove/<int:answer_id>/",
                view(self.remove_view),
                name="answers_release_remove",
            ),
            *super().get_urls(),
        ]

    def _release(self, request, object_id):
        if not request.user.has_perm("answers.publish_release"):
            raise PermissionDenied
        return get_object_or_404(Release, pk=unquote(object_id))

    def members(self, release):
        rows = []
        for member in release.members.select_related("answer__question", "signoff"):
            problems = release.member_problems(member) if release.is_open else []
            rows.append(
                {
                    "member": member,
                    "answer": member.answer,
                    "state": member_state(release, member),
                    "problems": problems,
                }
            )
        return rows

    def change_view(self, request, object_id, form_url="", extra_context=None):
        release = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if release is not None:
            extra |= {
                "release": release,
                "rows": self.members(release),
                "events": release.events.select_related("by__contributor")[:50],
                "date_format": "j M Y, H:i T",
            }
        return super().change_view(request, object_id, form_url, extra)

    def publish_view(self, request, object_id):
        """GET: what will go live, and what stops it; POST: publish every member, or none."""
        release = self._release(request, object_id)
        back = reverse("admin:answers_release_change", args=[release.pk])
        if request.method == "POST":
            try:
                publications = release.publish(by=request.user)
            except ReleaseError as error:
                for problem in error.problems:
                    messages.error(request, problem)
                return redirect(back)
            messages.success(
                request,
                f"Release “{release.name}” is live: {len(publications)} answers published "
                "together.",
            )
            return redirect(back)
        rows = self.members(release)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Publish release “{release.name}” now?",
            "release": release,
            "rows": rows,
            "blocked": any(row["problems"] for row in rows) or not rows,
            "back": back,
        }
        return TemplateResponse(request, "admin/answers/release/publish.html", context)

    def take_back_view(self, request, object_id):
        release = self._release(request, object_id)
        back = reverse("admin:answers_release_change", args=[release.pk])
        form = TakeBackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                entries = release.take_back(by=request.user, reason=form.cleaned_data["reason"])
            except ReleaseError as error:
                for problem in error.problems:
                    messages.error(request, problem)
                return redirect(back)
            messages.success(
                request,
                f"Release “{release.name}” taken back: "
                + "; ".join(f"“{e['question']}”: {e['outcome']}" for e in entries)
                + ".",
            )
            return redirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Take back release “{release.name}”?",
            "release": release,
            "rows": self.members(release),
            "form": form,
            "back": back,
        }
        return TemplateResponse(request, "admin/answers/release/take_back.html", context)

    def remove_view(self, request, object_id, answer_id):
        release = self._release(request, object_id)
        if request.method != "POST":
            raise PermissionDenied("Take an answer out with the button on the release's page.")
        answer = get_object_or_404(Answer, pk=answer_id)
        try:
            release.remove(answer, by=request.user)
        except ReleaseError as error:
            for problem in error.problems:
                messages.error(request, problem)
        else:
            messages.success(request, f"“{answer}” was taken out of the release.")
        return redirect(reverse("admin:answers_release_change", args=[release.pk]))


class TakeBackForm(forms.Form):
    reason = forms.CharField(
        label="Why take it back",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit log; answers without an earlier version are withdrawn "
        "with this reason.",
    )


@admin.register(ReleaseEvent)
class ReleaseEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The releases' audit log."""

    list_display = ["when", "release", "kind", "who", "detail"]
    list_filter = ["kind"]
    list_select_related = ["release", "by__contributor"]
    search_fields = ["release__name", "detail"]

    @admin.display(description="when", ordering="at")
    def when(self, event):
        return date_format(timezone.localtime(event.at), "j M Y, H:i T")

    @admin.display(description="who")
    def who(self, event):
        return event.actor

"""Each user's own notifications in the admin (any staff user, only their own), and the
page where they choose which kinds they get."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import Notification, NotificationKind, NotificationOptOut


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Notify me about",
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick a kind to stop getting it, in this list and by email.",
    )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["message", "kind", "answer_link", "received", "is_read"]
    list_filter = [("read_at", admin.EmptyFieldListFilter), "kind"]
    list_select_related = ["answer__question"]
    actions = ["mark_read"]
    change_list_template = "admin/notifications/notification/change_list.html"

    # Everyone on the desk sees their own notifications, and only those.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or obj.recipient_id == request.user.pk
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(recipient=request.user)

    @admin.display(description="notification")
    def message(self, notification):
        open_url = reverse("admin:notifications_notification_open", args=[notification.pk])
        done = ""
        if notification.done_at:
            done = format_html(
                '<p class="qa-notification-done"><strong>Done:</strong> {} ({})</p>',
                notification.done_reason,
                timezone.localtime(notification.done_at).strftime("%d %b %Y %H:%M"),
            )
        return format_html(
            '<a href="{}">{}</a><div class="qa-notification-text">{}</div>{}',
            open_url,
            notification.subject,
            notification.text,
            done,
        )

    @admin.display(description="answer")
    def answer_link(self, notification):
        return notification.answer.question.text

    @admin.display(description="received", ordering="created_at")
    def received(self, notification):
        return timezone.localtime(notification.created_at).strftime("%d %b %Y %H:%M")

    @admin.display(description="read", boolean=True)
    def is_read(self, notification):
        return notification.read_at is not None

    @admin.action(description="Mark as read", permissions=["view"])
    def mark_read(self, request, queryset):
        count = queryset.unread().update(read_at=timezone.now())
        self.message_user(
            request,
            f"Marked {count} notification{'s' if count != 1 else ''} read.",
            messages.SUCCESS,
        )

    def open_view(self, request, object_id):
        """Mark it read and go to the page it is about."""
        notification = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        if notification is None:
            raise Http404("There is no such notification of yours.")
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return redirect(notification.link)

    def mark_all_read_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        count = self.get_queryset(request).unread().update(read_at=timezone.now())
        self.message_user(
            request,
            f"Marked {count} notification{'s' if count != 1 else ''} read.",
            messages.SUCCESS,
        )
        return redirect("admin:notifications_notification_changelist")

    def preferences_view(self, request):
        muted = set(
            NotificationOptOut.objects.filter(user=request.user).values_list("kind", flat=True)
        )
        initial = [kind for kind in NotificationKind.values if kind not in muted]
        form = PreferencesForm(request.POST or None, initial={"kinds": initial})
        if request.method == "POST" and form.is_valid():
            wanted = set(form.cleaned_data["kinds"])
            NotificationOptOut.objects.filter(user=request.user, kind__in=wanted).delete()
            for kind in set(NotificationKind.values) - wanted - muted:
                NotificationOptOut.objects.get_or_create(user=request.user, kind=kind)
            messages.success(request, "Saved: you get only the notifications ticked below.")
            return redirect("admin:notifications_preferences")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Notification settings",
            "form": form,
        }
        return TemplateResponse(request, "admin/notifications/preferences.html", context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("preferences/", wrap(self.preferences_view), name="notifications_preferences"),
            path("read-all/", wrap(self.mark_all_read_view), name="notifications_read_all"),
            path(
                "<path:object_id>/open/",
                wrap(self.open_view),
                name="notifications_notification_open",
            ),
            *super().get_urls(),
        ]

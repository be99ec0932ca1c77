"""The about pages (publisher, funding, editorial policy): editors write and publish them
directly, without a clinician's sign-off, since they give no medical advice. Every save is
a version in django-simple-history, shown under History with who changed what."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import SitePage
from .search import NulSafeSearch


@admin.register(SitePage)
class SitePageAdmin(NulSafeSearch, SimpleHistoryAdmin):
    list_display = ["title", "slug", "is_published", "position", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "summary", "body", "position", "is_published"]
    history_list_display = ["is_published"]

"""Admin searches that cannot fail on a NUL character (PostgreSQL refuses one in a string)."""

from django.contrib import admin


class NulSafeSearch(admin.ModelAdmin):
    """A search term holding NUL finds nothing, on the list page and in autocompletes,
    instead of a 500 on PostgreSQL."""

    def get_search_results(self, request, queryset, search_term):
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

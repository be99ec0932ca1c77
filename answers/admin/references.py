"""The reference library's admin with what a change means for the answers citing it:
`citations` never imports `answers`, so its ReferenceAdmin is extended here."""

from django.contrib import admin, messages

from citations.admin import ReferenceAdmin as LibraryReferenceAdmin
from citations.models import Reference

from ..reference_changes import answers_in_review_citing, reopen_answers_citing
from .search import NulSafeSearch

admin.site.unregister(Reference)


@admin.register(Reference)
class ReferenceAdmin(NulSafeSearch, LibraryReferenceAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            return
        reopened = reopen_answers_citing(obj, by=request.user)
        if reopened:
            messages.warning(
                request,
                f"{len(reopened)} published answer{'s' if len(reopened) != 1 else ''} cite this "
                "reference and now need medical review again (their public pages still show the "
                "approved version): " + "; ".join(str(a) for a in reopened),
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        reference = self.get_object(request, object_id)
        if reference is not None and request.method == "GET":
            in_review = answers_in_review_citing(reference).count()
            if in_review and self.has_change_permission(request, reference):
                messages.warning(
                    request,
                    f"{in_review} answer{'s' if in_review != 1 else ''} citing this reference "
                    f"{'are' if in_review != 1 else 'is'} in medical review. Changing the "
                    "reference changes what the clinician signs off, so approval will be "
                    "refused until the answer is sent back and submitted again.",
                )
        return super().change_view(request, object_id, form_url, extra_context)

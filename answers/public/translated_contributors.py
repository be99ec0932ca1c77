"""/<language>/contributors/<slug>/: who signed off the translations, in the reader's language.

A translated answer's byline names the clinician who reviewed the translation; readers of
that language follow it here to see their credentials and declared conflicts of interest,
as English readers do on the contributor page. The page exists only while the person signed
off a live translation in that language (their other pages may not exist: a clinician who
reviews only translations is named on no English answer). The profile's own words (role,
biography, declaration) are written in English and marked so (`lang="en"`)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ops.pagecache import public_page, set_surrogate_keys

from ..models import Contributor, FormerContributorSlug, PublishedAnswer
from ..people import person
from .caching import LISTING, contributor_key
from .structured_data import absolute_url, contributor_page_data, ld_json_script
from .translated import _language_or_404, live_translations, translated_url

PAGE_SIZE = 50


def reviewed_translations(user, language):
    """The live translations into `language` that `user` signed off, by question."""
    return (
        live_translations()
        .filter(language=language, signoff__reviewer=user)
        .only("slug", "question", "language", "approved_at")
        .order_by("question", "pk")
    )


@public_page(query=["page"])
@require_safe
def translated_contributor(request, slug):
    language = _language_or_404()
    contributor = Contributor.objects.select_related("user").filter(slug=slug).first()
    if contributor is None:
        # Bylines approved before an address change link to the old one.
        former = FormerContributorSlug.objects.select_related("contributor").filter(slug=slug)
        former = former.first()
        if former is None:
            raise Http404("No contributor at this address.")
        moved = translated_url(language, "translated_contributor", former.contributor.slug)
        response = redirect(moved, permanent=True)
        return set_surrogate_keys(response, contributor_key(former.contributor_id))
    page = Paginator(reviewed_translations(contributor.user, language), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if not page.paginator.count:
        # Tagged "listing" like every untagged page: the sign-off that names them purges it.
        raise Http404("No published translation names this person.")
    path = translated_url(language, "translated_contributor", contributor.slug)
    named_in_english = PublishedAnswer.objects.live().naming(contributor.user_id).exists()
    english = contributor.get_absolute_url() if named_in_english else None
    data = contributor_page_data(contributor, person(contributor.user), url=absolute_url(path))
    data["inLanguage"] = language
    response = render(
        request,
        "answers/translated_contributor.html",
        {
            "page_language": language,
            "contributor": contributor,
            "page": page,
            # Their English page lists other pages (the English answers), so it is linked
            # for readers, not declared an alternate of this one.
            "english_path": english,
            "canonical_url": absolute_url(path),
            "description": _("Translations medically reviewed by %(name)s")
            % {"name": contributor.byline_name},
            "structured_data": ld_json_script(data),
        },
    )
    return set_surrogate_keys(response, contributor_key(contributor.pk), LISTING)

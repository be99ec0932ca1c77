"""The language of a request is its address's: /es/… is Spanish, every other address the
site's language (LANGUAGE_CODE). Never the browser's Accept-Language or a cookie: Django's
LocaleMiddleware would add `Vary: Accept-Language` to every page without a prefix, splitting
shared caches (Varnish, the page cache) for English pages that never differ."""

from django.conf import settings
from django.utils import translation


class PathLanguageMiddleware:
    """Place it above the page cache, which resolves the address in the page's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.activate(settings.LANGUAGE_CODE)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

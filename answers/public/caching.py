"""Which cached public pages a change makes stale, and purging them.

Every public response is tagged with surrogate keys (`ops.pagecache.set_surrogate_keys`):

- `answer-<answer id>`: the answer's page, its API document, its 410 page once withdrawn;
- `topic-<topic id>`: the pages listing the topic's answers (the topic page, the 410 pages
  that suggest the topic's other answers), its pages in other languages and their
  translated answers' pages (their breadcrumb leads there);
- `contributor-<contributor id>`: a writer's or clinician's page;
- `glossary`: the glossary and every answer page (any answer may show a definition);
- `about`: the about pages (publisher, editorial policy) and their list;
- `listing`: home, search, the feed, the sitemap, the API list, the contributor pages (they
  list answers), and not-found pages (the address of an answer about to be published);
- `all`: every public page (a deploy purges it).

A change to a snapshot, a topic, a contributor's profile or an about page purges its keys
on every path (the workflow, the retraction watch, the admin, the shell) through the
receivers below, which drive no workflow. (Contributor pages list the approved bylines, so
the draft's writers change nothing public.) Code that changes snapshots with
`QuerySet.update()`, or whose pages change at a
moment rather than on a write (scheduled go-live and take-down), calls `purge_answer()`
or `purge_keys()` itself.
"""

from functools import wraps

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse

from ops.pagecache import bump_generation, set_surrogate_keys
from ops.purge import purge_keys

from ..models import (
    Contributor,
    GlossaryTerm,
    PublishedAnswer,
    PublishedTranslation,
    SearchPromotion,
    SitePage,
    SynonymSet,
    Topic,
    TopicName,
)
from .structured_data import absolute_url, translated_url

LISTING = "listing"
ALL = "all"
ABOUT = "about"
GLOSSARY = "glossary"


def answer_key(answer_id) -> str:
    return f"answer-{answer_id}"


def topic_key(topic_id) -> str:
    return f"topic-{topic_id}"


def contributor_key(contributor_id) -> str:
    return f"contributor-{contributor_id}"


def tagged(view, *keys):
    """A view (e.g. Django's sitemap or feed) whose responses carry these keys."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return set_surrogate_keys(view(request, *args, **kwargs), *keys)

    return wrapped


def _listing_urls():
    return [
        absolute_url(reverse(name))
        for name in ("home", "topics", "feed", "sitemap", "search", "api_answer_list")
    ]


def translated_urls(answer_id) -> list[str]:
    """The addresses of the answer's translated pages (withdrawn ones answer 410 there):
    they show the English answer's state (the out-of-date notice, the page gone with it)
    and carry its key, so an edge that purges by URL must be told them too."""
    rows = PublishedTranslation.objects.filter(translation__answer_id=answer_id)
    return [
        absolute_url(translated_url(language, "translated_question", slug))
        for language, slug in rows.values_list("language", "slug")
    ]


def purge_answer(publication, *, previous_topic_id=None):
    """Purge the pages showing this publication: its page and API document, its
    translations' pages, its topic's page (and the one it moved from), and the listings."""
    topic_ids = {publication.topic_id, previous_topic_id} - {None}
    topics = Topic.objects.filter(pk__in=topic_ids)
    urls = [
        absolute_url(publication.get_absolute_url()),
        absolute_url(reverse("api_answer_detail", args=[publication.slug])),
        *translated_urls(publication.answer_id),
        *(absolute_url(topic.get_absolute_url()) for topic in topics),
        *_listing_urls(),
    ]
    keys = [answer_key(publication.answer_id), *map(topic_key, topic_ids), LISTING]
    purge_keys(keys, urls=urls)


def _translated_topic_urls(language, slug) -> list[str]:
    """The topic's page in `language`, the language's topic list and home."""
    return [
        absolute_url(translated_url(language, "translated_topic", slug)),
        absolute_url(translated_url(language, "translated_topics")),
        absolute_url(translated_url(language, "translated_home")),
    ]


def purge_topic(topic):
    """A topic's name and description show on its page, the listings and, in the
    breadcrumbs, on each of its answers' pages (and its pages in other languages)."""
    publications = PublishedAnswer.objects.filter(topic=topic).only("answer_id", "slug")
    urls = [absolute_url(topic.get_absolute_url()), *_listing_urls()]
    for language in topic.names.values_list("language", flat=True):
        urls += _translated_topic_urls(language, topic.slug)
    keys = [topic_key(topic.pk), LISTING]
    for publication in publications:
        keys.append(answer_key(publication.answer_id))
        urls.append(absolute_url(publication.get_absolute_url()))
        urls.append(absolute_url(reverse("api_answer_detail", args=[publication.slug])))
    purge_keys(keys, urls=urls)


@receiver(pre_save, sender=PublishedAnswer, dispatch_uid="publication_topic_before_save")
def _remember_topic(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._stored_topic_id = (
            PublishedAnswer.objects.filter(pk=instance.pk)
            .values_list("topic_id", flat=True)
            .first()
        )


@receiver(post_save, sender=PublishedAnswer, dispatch_uid="purge_publication_on_save")
def _publication_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        purge_answer(instance, previous_topic_id=getattr(instance, "_stored_topic_id", None))


@receiver(post_delete, sender=PublishedAnswer, dispatch_uid="purge_publication_on_delete")
def _publication_deleted(sender, instance, **kwargs):
    purge_answer(instance)


@receiver(post_save, sender=Topic, dispatch_uid="purge_topic_on_save")
@receiver(post_delete, sender=Topic, dispatch_uid="purge_topic_on_delete")
def _topic_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        purge_topic(instance)


@receiver(post_save, sender=TopicName, dispatch_uid="purge_topic_name_on_save")
@receiver(post_delete, sender=TopicName, dispatch_uid="purge_topic_name_on_delete")
def _topic_name_changed(sender, instance, raw=False, **kwargs):
    """A topic named, renamed or unnamed in a language: its page in that language appears,
    changes or goes, so do the language's topic list, the sitemap, the English topic page's
    language links and the breadcrumbs of the topic's translated answers (the topic's key).
    Their disclaimers keep the approved name until their next approval."""
    if raw:
        return
    topic = Topic.objects.filter(pk=instance.topic_id).only("slug").first()
    if topic is None:  # deleted with its topic, which purged its pages
        return
    urls = [
        *_translated_topic_urls(instance.language, topic.slug),
        absolute_url(topic.get_absolute_url()),
        *_listing_urls(),
    ]
    purge_keys([topic_key(topic.pk), LISTING], urls=urls)


def purge_contributors(contributors, *, slugs=(), listing=False):
    """Their pages (at `slugs` too: the addresses they had); with `listing`, the listings and
    the sitemap as well, for a page that appears, moves or goes."""
    contributors = list(contributors)
    slugs = {*slugs, *(c.slug for c in contributors)} - {""}
    if not contributors and not slugs:
        return
    keys = [contributor_key(c.pk) for c in contributors]
    urls = [absolute_url(reverse("contributor", args=[slug])) for slug in slugs]
    urls += [  # their page in each language (translations they signed off)
        absolute_url(translated_url(language, "translated_contributor", slug))
        for language in settings.CONTENT_LANGUAGES
        for slug in slugs
    ]
    if listing:
        keys.append(LISTING)
        urls += _listing_urls()
    purge_keys(keys, urls=urls)


@receiver(pre_save, sender=Contributor, dispatch_uid="contributor_before_save")
def _remember_contributor(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._stored = (
            Contributor.objects.filter(pk=instance.pk).values("slug", "user_id").first()
        )


@receiver(post_save, sender=Contributor, dispatch_uid="purge_contributor_on_save")
def _contributor_saved(sender, instance, created, raw=False, **kwargs):
    """A profile edit changes the page; a new address or another user makes a page appear
    or go, and changes the sitemap. A new profile has no page unless its user is already
    named on a live answer (a byline that named them without one)."""
    if raw:
        return
    if created:
        if PublishedAnswer.objects.live().naming(instance.user_id).exists():
            purge_contributors([instance], listing=True)
        return
    stored = getattr(instance, "_stored", None) or {}
    moved = stored.get("slug") != instance.slug or stored.get("user_id") != instance.user_id
    purge_contributors([instance], slugs=[stored.get("slug", "")], listing=moved)


@receiver(post_delete, sender=Contributor, dispatch_uid="purge_contributor_on_delete")
def _contributor_deleted(sender, instance, **kwargs):
    purge_contributors([instance], listing=True)


@receiver(pre_save, sender=SitePage, dispatch_uid="site_page_before_save")
def _remember_site_page(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._stored_slug = (
            SitePage.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        )


@receiver(post_save, sender=SitePage, dispatch_uid="purge_site_page_on_save")
@receiver(post_delete, sender=SitePage, dispatch_uid="purge_site_page_on_delete")
def _site_page_changed(sender, instance, raw=False, **kwargs):
    """The about pages (at their old address too) and their list; the sitemap lists the
    published ones."""
    if raw:
        return
    slugs = {instance.slug, getattr(instance, "_stored_slug", None)} - {None, ""}
    urls = [reverse("site_pages"), *(reverse("site_page", args=[slug]) for slug in slugs)]
    purge_keys([ABOUT, LISTING], urls=[*map(absolute_url, urls), *_listing_urls()])


def _public_wording(term):
    """What readers see of a term, or None while they see nothing."""
    if term is None or not term.public_definition:
        return None
    return (term.public_term, term.public_definition, term.public_other_names, term.slug)


@receiver(pre_save, sender=GlossaryTerm, dispatch_uid="glossary_term_before_save")
def _remember_public_wording(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._stored_public = _public_wording(
            GlossaryTerm.objects.filter(pk=instance.pk).first()
        )


def _purge_glossary():
    purge_keys([GLOSSARY, LISTING], urls=[absolute_url(reverse("glossary")), *_listing_urls()])


@receiver(post_save, sender=GlossaryTerm, dispatch_uid="purge_glossary_on_save")
def _glossary_term_saved(sender, instance, raw=False, **kwargs):
    """A definition signed off or taken down changes the glossary, the sitemap and any answer
    page using the term; a writer's draft changes nothing public."""
    if not raw and getattr(instance, "_stored_public", None) != _public_wording(instance):
        _purge_glossary()


@receiver(post_delete, sender=GlossaryTerm, dispatch_uid="purge_glossary_on_delete")
def _glossary_term_deleted(sender, instance, **kwargs):
    if _public_wording(instance) is not None:
        _purge_glossary()


@receiver(post_save, sender=SynonymSet, dispatch_uid="search_synonyms_saved")
@receiver(post_delete, sender=SynonymSet, dispatch_uid="search_synonyms_deleted")
@receiver(post_save, sender=SearchPromotion, dispatch_uid="search_promotion_saved")
@receiver(post_delete, sender=SearchPromotion, dispatch_uid="search_promotion_deleted")
def _search_changed(sender, instance, raw=False, **kwargs):
    """Synonyms and promotions change search results only, which shared caches never keep
    (`count_search`): a new generation drops them from the in-app cache."""
    if not raw:
        bump_generation()


def _reviewer_slug(snapshot):
    data = (snapshot.data if snapshot is not None else None) or {}
    return (data.get("reviewer") or {}).get("slug")


@receiver(pre_save, sender=PublishedTranslation, dispatch_uid="translation_before_save")
def _remember_translation_reviewer(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._stored_reviewer_slug = _reviewer_slug(
            PublishedTranslation.objects.filter(pk=instance.pk).only("data").first()
        )


@receiver(post_save, sender=PublishedTranslation, dispatch_uid="purge_translation_on_save")
@receiver(post_delete, sender=PublishedTranslation, dispatch_uid="purge_translation_on_delete")
def _translation_changed(sender, instance, raw=False, **kwargs):
    """A translation published or withdrawn: its page, the English page (its language
    links), its language's listings. The translated page carries the English answer's key,
    so the English answer's approval (which makes it out of date) purges it too."""
    if raw:
        return
    # The signing clinician's page in this language lists it (and the one who signed before).
    reviewers = {_reviewer_slug(instance), getattr(instance, "_stored_reviewer_slug", None)}
    language = instance.language
    urls = [
        translated_url(language, "translated_question", instance.slug),
        translated_url(language, "translated_home"),
        translated_url(language, "translated_feed"),
        *(translated_url(language, "translated_contributor", slug) for slug in reviewers if slug),
    ]
    source = (
        PublishedAnswer.objects.filter(answer__translations=instance.translation_id)
        .select_related("topic")
        .first()
    )
    keys = [answer_key(instance.translation.answer_id), LISTING]
    if source is not None:
        # Its topic's pages: in the language (listed or not) and in English (language links).
        urls.append(source.get_absolute_url())
        urls.append(source.topic.get_absolute_url())
        keys.append(topic_key(source.topic_id))
    urls = [*map(absolute_url, urls), *_listing_urls()]
    if source is not None:
        urls += _translated_topic_urls(instance.language, source.topic.slug)
    purge_keys(keys, urls=urls)

"""Which cached public pages a change makes stale, and purging them.

Every public response is tagged with surrogate keys (`ops.pagecache.set_surrogate_keys`):

- `answer-<answer id>`: the answer's page, its API document, its 410 page once withdrawn;
- `topic-<topic id>`: the pages listing the topic's answers (the topic page, the 410 pages
  that suggest the topic's other answers);
- `listing`: home, search, the feed, the sitemap, the API list, and not-found pages (the
  address of an answer about to be published);
- `all`: every public page (a deploy purges it).

A change to a snapshot or a topic purges its keys on every path (the workflow, the
retraction watch, the admin, the shell) through the receivers below, which drive no
workflow. Code that changes snapshots with `QuerySet.update()`, or whose pages change at a
moment rather than on a write (scheduled go-live and take-down), calls `purge_answer()`
or `purge_keys()` itself.
"""

from functools import wraps

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse

from ops.pagecache import set_surrogate_keys
from ops.purge import purge_keys

from ..models import PublishedAnswer, Topic
from .structured_data import absolute_url

LISTING = "listing"
ALL = "all"


def answer_key(answer_id) -> str:
    return f"answer-{answer_id}"


def topic_key(topic_id) -> str:
    return f"topic-{topic_id}"


def tagged(view, *keys):
    """A view (e.g. Django's sitemap or feed) whose responses carry these keys."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return set_surrogate_keys(view(request, *args, **kwargs), *keys)

    return wrapped


def _listing_urls():
    return [
        absolute_url(reverse(name))
        for name in ("home", "feed", "sitemap", "search", "api_answer_list")
    ]


def purge_answer(publication, *, previous_topic_id=None):
    """Purge the pages showing this publication: its page and API document, its topic's
    page (and the one it moved from), and the listings."""
    topic_ids = {publication.topic_id, previous_topic_id} - {None}
    topics = Topic.objects.filter(pk__in=topic_ids)
    urls = [
        absolute_url(publication.get_absolute_url()),
        absolute_url(reverse("api_answer_detail", args=[publication.slug])),
        *(absolute_url(topic.get_absolute_url()) for topic in topics),
        *_listing_urls(),
    ]
    keys = [answer_key(publication.answer_id), *map(topic_key, topic_ids), LISTING]
    purge_keys(keys, urls=urls)


def purge_topic(topic):
    """A topic's name and description show on its page, the listings and, in the
    breadcrumbs, on each of its answers' pages."""
    publications = PublishedAnswer.objects.filter(topic=topic).only("answer_id", "slug")
    urls = [absolute_url(topic.get_absolute_url()), *_listing_urls()]
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

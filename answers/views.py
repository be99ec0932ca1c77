"""Public pages. They read only the approved snapshots (PublishedAnswer), never drafts."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse

from .models import PublishedAnswer, Topic


def home(request):
    recent = PublishedAnswer.objects.live().select_related("topic")[:10]
    topics = Topic.objects.filter(publications__withdrawn_at__isnull=True).distinct()
    return render(request, "answers/home.html", {"recent": recent, "topics": topics})


def topic(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    publications = topic.publications.live().order_by("question")
    return render(request, "answers/topic.html", {"topic": topic, "publications": publications})


def question(request, slug):
    publication = PublishedAnswer.objects.select_related("topic").filter(slug=slug).first()
    if publication is None:
        raise Http404("No published answer at this address.")
    if publication.withdrawn_at is not None:
        return TemplateResponse(
            request, "answers/withdrawn.html", {"publication": publication}, status=410
        )
    return render(request, "answers/answer_detail.html", {"publication": publication})

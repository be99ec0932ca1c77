"""An answer's admin pages read the answer once per request, with what they show joined or
prefetched. Django's change view reads the object a second time inside its transaction, and
the workflow panel, the checklist, the content hash and the form each followed the question,
topic, publication and sections with a query of their own (the change page of an
answer with 60 citations in at most 25 queries)."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects

from citations.models import Citation

READ_ONLY_METHODS = {"GET", "HEAD"}


class AnswerReadOnce:
    """Mixin for AnswerAdmin. Only for GET and HEAD: a POST saves the form and its sections,
    so it reads the answer as Django does and nothing it holds can be stale."""

    def get_object(self, request, object_id, from_field=None):
        if request.method not in READ_ONLY_METHODS:
            return super().get_object(request, object_id, from_field)
        loaded = request.__dict__.setdefault("_answers_read", {})
        key = (str(object_id), from_field)
        if key not in loaded:
            loaded[key] = self._read_answer(request, object_id, from_field)
        return loaded[key]

    def _read_answer(self, request, object_id, from_field):
        """Django's ModelAdmin.get_object, with the answer's page's relations."""
        queryset = (
            self.get_queryset(request)
            .select_related("question__topic", "publication", "assigned_reviewer__contributor")
            .prefetch_related("sections")
        )
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            answer = queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None
        if answer.status == answer.Status.PUBLISHED:
            # Its page compares the content hash with the approved one more than once (the
            # status panel, the submit and confirm rules): one read of the citations serves all.
            prefetch_related_objects(
                [answer],
                Prefetch("citations", queryset=Citation.objects.select_related("reference")),
            )
        return answer

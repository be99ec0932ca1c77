"""What answers are filed under and who writes them: topics (with the structure new answers
start with), patients' questions and the contributors named in bylines."""

import unicodedata

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from citations.identifiers import validate_orcid

from ..articles import disclaimer_for
from .choices import SectionKind

# What every answer says, in this order, unless its topic's editors set another structure.
HOUSE_STRUCTURE = (
    ("What the research says", "prose"),
    ("What to ask your doctor", "questions"),
)


def unique_slug(model, text, *, length, fallback, exclude_pk=None, taken=None):
    """A slug of `text` no other row of `model` has (nor `taken(slug)` says is taken):
    "name", then "name-2", "name-3"..."""
    base = slugify(text)[:length].strip("-") or fallback
    slug, n = base, 2
    others = model.objects.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists() or (taken and taken(slug)):
        slug, n = f"{base}-{n}", n + 1
    return slug


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("topic", args=[self.slug])

    @property
    def disclaimer(self):
        return disclaimer_for(self.name)

    def section_structure(self) -> list[tuple[str, str]]:
        """The (heading, kind) pairs a new answer in this topic starts with: the topic's own
        structure if its editors set one, else the house structure."""
        own = [(s.heading, s.kind) for s in self.structure.all()]
        return own or list(HOUSE_STRUCTURE)


TRANSLATED_DISCLAIMER = gettext_noop(
    "This answer was translated from the English version and reviewed by a clinician who "
    "reads this language. It is drawn from common patient questions about %(topic)s and "
    "answered using cited medical research. We do not provide individualized advice."
)


class TopicName(models.Model):
    """A topic's name (and description) in one of the content languages, as editors give it:
    the /<language>/topics/ pages show it at once; a translation's disclaimer and breadcrumb
    keep the name its clinician approved (PublishedTranslation.publish snapshots it)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="names")
    language = models.CharField(max_length=10)
    name = models.CharField("name in this language", max_length=100)
    description = models.TextField("description in this language", blank=True)

    class Meta:
        ordering = ["language", "name"]
        verbose_name = "name in another language"
        verbose_name_plural = "names in other languages"
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "language"], name="topic_name_once_per_language"
            ),
            models.UniqueConstraint(fields=["language", "name"], name="topic_name_unique"),
            # English is the topic's own name.
            models.CheckConstraint(
                condition=~Q(language__in=["", "en"]), name="topic_name_not_english"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    def disclaimer(self) -> str | None:
        """The translated disclaimer naming this topic, in the active language (the page's);
        None while that language's catalogue has no translation of it (English words around
        a name in another language help nobody: the page keeps its general disclaimer)."""
        wording = gettext(TRANSLATED_DISCLAIMER)
        if wording == TRANSLATED_DISCLAIMER:
            return None
        return wording % {"topic": self.name}


ONE_LINE = (
    "The question must be one line of text: remove the line break (or other invisible "
    "control character) from it."
)


def validate_one_line(value):
    """A question is one line: it is the page heading and an email subject, where a line
    break would break the header (or inject one)."""
    if any(unicodedata.category(character) in ("Cc", "Zl", "Zp") for character in value):
        raise ValidationError(ONE_LINE, code="line_break")


@reversion.register()
class Question(models.Model):
    text = models.CharField(
        "question",
        max_length=300,
        validators=[validate_one_line],
        help_text="The patient's own wording.",
    )
    slug = models.SlugField(max_length=120, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text"]

    def __str__(self):
        return self.text

    @staticmethod
    def unique_slug_for(text, *, exclude_pk=None):
        return unique_slug(Question, text, length=100, fallback="question", exclude_pk=exclude_pk)


FORMER_ADDRESS_TAKEN = (
    "This was another contributor's page address, and published bylines still lead there "
    "to them. Choose another address."
)


class Contributor(models.Model):
    """How a writer or clinician is named in public bylines."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor"
    )
    display_name = models.CharField(max_length=150)
    credentials = models.CharField(
        max_length=100,
        blank=True,
        help_text='Post-nominal letters shown after the name, e.g. "MD".',
    )
    role_title = models.CharField("role or title", max_length=150, blank=True)
    bio = models.TextField("short bio", blank=True)
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text="0000-0000-0000-0000",
    )
    conflicts_of_interest = models.TextField(
        "declared conflicts of interest",
        blank=True,
        help_text="As the person declared them. Write “None declared” if they declared none; "
        "left empty, their public page says no declaration is on file.",
    )
    slug = models.SlugField(
        max_length=160,
        unique=True,
        blank=True,
        help_text="Their public page: /contributors/<slug>/. Made from the name when left empty.",
    )
    languages = models.CharField(
        "languages they work in",
        max_length=100,
        blank=True,
        help_text="Besides English, the languages this person writes or medically reviews in "
        "(language codes separated by commas, e.g. “es”). Only a clinician who declared a "
        "language signs off translations into it.",
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.byline_name

    def save(self, *args, **kwargs):
        """Keeps the former addresses true: published bylines link to the address their
        page had at approval, which must keep leading to that person after a change."""
        if not self.slug:
            self.slug = self.unique_slug_for(self.display_name, exclude_pk=self.pk)
        elif self.former_address_of_someone_else(self.slug, exclude_pk=self.pk):
            raise ValidationError({"slug": FORMER_ADDRESS_TAKEN})
        with transaction.atomic():
            before = (
                Contributor.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
                if self.pk
                else None
            )
            super().save(*args, **kwargs)
            self.former_slugs.filter(slug=self.slug).delete()
            if before and before != self.slug:
                FormerContributorSlug.objects.create(slug=before, contributor=self)

    def get_absolute_url(self):
        return reverse("contributor", args=[self.slug])

    def clean(self):
        if self.slug and self.former_address_of_someone_else(self.slug, exclude_pk=self.pk):
            raise ValidationError({"slug": FORMER_ADDRESS_TAKEN})
        unknown = [code for code in self.language_codes if code not in settings.CONTENT_LANGUAGES]
        if unknown:
            offered = ", ".join(settings.CONTENT_LANGUAGES) or "none: the site is English only"
            raise ValidationError(
                {
                    "languages": f"The site is not translated into {', '.join(unknown)}. "
                    f"Languages it is translated into: {offered}."
                }
            )

    @property
    def language_codes(self) -> list[str]:
        return [code.strip().lower() for code in self.languages.split(",") if code.strip()]

    def works_in(self, language) -> bool:
        return language in self.language_codes

    @staticmethod
    def unique_slug_for(name, *, exclude_pk=None):
        return unique_slug(
            Contributor,
            name,
            length=150,
            fallback="contributor",
            exclude_pk=exclude_pk,
            taken=lambda slug: Contributor.former_address_of_someone_else(
                slug, exclude_pk=exclude_pk
            ),
        )

    @staticmethod
    def former_address_of_someone_else(slug, *, exclude_pk=None):
        return (
            FormerContributorSlug.objects.filter(slug=slug).exclude(contributor=exclude_pk).exists()
        )

    @property
    def byline_name(self):
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


class FormerContributorSlug(models.Model):
    """An address a contributor's page had before a change, kept so that the bylines of
    answers approved meanwhile still lead to them (the page redirects)."""

    slug = models.SlugField(max_length=160, unique=True)
    contributor = models.ForeignKey(
        Contributor, on_delete=models.CASCADE, related_name="former_slugs"
    )

    def __str__(self):
        return self.slug


class TopicSection(models.Model):
    """One section of the structure new answers in a topic start with."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="structure")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SectionKind, default=SectionKind.PROSE)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "section new answers start with"
        verbose_name_plural = "sections new answers start with"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SectionKind.values), name="topic_section_kind_valid"
            ),
        ]

    def __str__(self):
        return self.heading

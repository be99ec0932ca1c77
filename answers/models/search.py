"""What search knows beyond the snapshots: synonym sets editors keep, answers they promote
for a query, the words of the published answers (for "Did you mean"), and how often each
query was searched, per day, with nothing about who searched."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from .. import search_terms

MAX_TERM_LENGTH = 100


def parse_synonym_terms(text: str) -> list[str]:
    """The terms of a set written "heart attack, myocardial infarction, MI", tidied; raises
    ValidationError saying what is wrong, in the editor's words."""
    terms = [" ".join(term.split()) for term in (text or "").split(",")]
    if any(not term for term in terms):
        raise ValidationError(
            "A term is empty: write the terms separated by commas, "
            "for example “heart attack, myocardial infarction, MI”."
        )
    for term in terms:
        if len(term) > MAX_TERM_LENGTH:
            raise ValidationError(
                f"“{term[:40]}…” is longer than {MAX_TERM_LENGTH} characters: a term is a word "
                "or a short phrase."
            )
        if not search_terms.key(term):
            raise ValidationError(f"“{term}” has no letter or digit, so no search can match it.")
        if len(search_terms.key(term).split()) > search_terms.MAX_PHRASE_WORDS:
            raise ValidationError(
                f"“{term}” has more than {search_terms.MAX_PHRASE_WORDS} words: "
                "a term is a word or a short phrase."
            )
    keys = [search_terms.key(term) for term in terms]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValidationError(
            f"“{repeated[0]}” is in the set twice (spellings that differ only in case, "
            "hyphens or British/American form count as one)."
        )
    if len(terms) < 2:
        raise ValidationError(
            "A set needs at least two terms that mean the same, separated by commas."
        )
    return terms


class SynonymSet(models.Model):
    """Words and phrases that mean the same to a reader (lay and clinical words,
    abbreviations, brand and generic names): a query with one finds answers with any."""

    class Source(models.TextChoices):
        EDITOR = "editor", "Written by an editor"
        IMPORT = "import", "Imported from a file"
        GLOSSARY = "glossary", "Other names of a glossary term"

    terms = models.TextField(
        help_text="The words or phrases that mean the same, separated by commas: "
        "“heart attack, myocardial infarction, MI”. Only true equivalents.",
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.EDITOR)
    source_note = models.CharField(
        max_length=200, blank=True, help_text="Where the set came from (a file name, a term)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["terms"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=["editor", "import", "glossary"]),
                name="synonym_set_source_valid",
            ),
        ]

    def __str__(self):
        return self.terms

    def save(self, *args, **kwargs):
        """Tidies the terms and keeps their lookup rows true; refuses a set no search could
        use, whatever the path (admin, import, shell)."""
        self.terms = ", ".join(parse_synonym_terms(self.terms))
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.keys.all().delete()
            SynonymTerm.objects.bulk_create(
                SynonymTerm(synonym_set=self, key=search_terms.key(term), term=term)
                for term in self.term_list()
            )

    def term_list(self) -> list[str]:
        return [term.strip() for term in self.terms.split(",")]

    def clean(self):
        try:
            parse_synonym_terms(self.terms)
        except ValidationError as error:
            raise ValidationError({"terms": error.messages}) from None


class SynonymTerm(models.Model):
    """A set's term by its key (`search_terms.key`): how a query finds its sets in one
    indexed lookup. Derived by `SynonymSet.save()`."""

    synonym_set = models.ForeignKey(SynonymSet, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=MAX_TERM_LENGTH * 2, db_index=True)
    term = models.CharField(max_length=MAX_TERM_LENGTH, help_text="As the editor wrote it.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["synonym_set", "key"], name="synonym_term_unique"),
        ]

    def __str__(self):
        return self.key


class SearchPromotion(models.Model):
    """An answer an editor puts first for a query (and its other spellings)."""

    query = models.CharField(max_length=200, help_text="What readers type, e.g. “water pills”.")
    query_key = models.CharField(max_length=400, editable=False, db_index=True)
    publication = models.ForeignKey(
        "answers.PublishedAnswer",
        on_delete=models.CASCADE,
        related_name="promotions",
        verbose_name="answer",
        help_text="A published answer; it shows only while it is live.",
    )
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order among the answers promoted for the same query (1 first)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["query_key", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["query_key", "publication"], name="search_promotion_unique"
            ),
        ]

    def __str__(self):
        return f"{self.query} → {self.publication}"

    def save(self, *args, **kwargs):
        self.query = " ".join(self.query.split())
        self.query_key = search_terms.key(self.query)
        if not self.query_key:
            raise ValidationError("Write the words readers search for.")
        super().save(*args, **kwargs)

    def clean(self):
        if not search_terms.key(self.query or ""):
            raise ValidationError({"query": "Write the words readers search for."})
        duplicate = SearchPromotion.objects.filter(
            query_key=search_terms.key(self.query), publication_id=self.publication_id
        ).exclude(pk=self.pk)
        if self.publication_id and duplicate.exists():
            raise ValidationError(
                {"publication": "This answer is already promoted for this query."}
            )


class SearchWord(models.Model):
    """A word of a published answer: what "Did you mean" suggests. Added when an answer is
    published (`PublishedAnswer.publish`), never removed: a suggestion is only shown once
    a search for it finds a live answer."""

    word = models.CharField(max_length=60, unique=True)
    length = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["length", "word"], name="searchword_length_word")]

    def __str__(self):
        return self.word

    @classmethod
    def add_from(cls, *texts):
        found = set().union(*(search_terms.vocabulary_words(text) for text in texts))
        cls.objects.bulk_create(
            (cls(word=word, length=len(word)) for word in sorted(found)),
            ignore_conflicts=True,
            batch_size=500,
        )


class SearchCount(models.Model):
    """How many searches a query had on a day, and how many found nothing. Nothing about
    the reader: no address, cookie, user or time of day."""

    day = models.DateField()
    query = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    found_nothing = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "-searches"]
        constraints = [
            models.UniqueConstraint(fields=["day", "query"], name="search_count_day_query"),
        ]
        verbose_name = "search report"
        verbose_name_plural = "search report"

    def __str__(self):
        return f"{self.day}: {self.query}"

    @classmethod
    def record(cls, query: str, *, found: int, day):
        """Count one search in one statement (an upsert), so concurrent searches for the
        same query each count."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (day, query, searches, found_nothing) "  # noqa: S608
                "VALUES (%s, %s, 1, %s) ON CONFLICT (day, query) DO UPDATE SET "
                f"searches = {table}.searches + 1, "
                f"found_nothing = {table}.found_nothing + excluded.found_nothing",
                [day.isoformat(), query, 0 if found else 1],
            )

"""The house list of words to avoid, each with its plain alternative: editors keep it, and
the checklist warns where an answer uses one (it never rewrites the text)."""

import csv
import io

from django.db import models, transaction
from django.db.models.functions import Lower


def normalise_word(text: str) -> str:
    return " ".join(text.split()).lower()


class HouseWord(models.Model):
    word = models.CharField(
        "word to avoid",
        max_length=100,
        help_text="A word or short phrase, matched whole and in any case.",
    )
    alternative = models.CharField(
        "plain alternative", max_length=200, help_text="What to write instead."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["word"]
        verbose_name = "house word"
        constraints = [
            models.UniqueConstraint(
                Lower("word"),
                name="house_word_unique_lower",
                violation_error_message="This word is already on the house list: change "
                "that entry instead.",
            ),
            models.CheckConstraint(
                condition=~models.Q(word="") & ~models.Q(alternative=""),
                name="house_word_not_empty",
            ),
        ]

    def __str__(self):
        return f"{self.word} → {self.alternative}"

    def save(self, *args, **kwargs):
        self.word = normalise_word(self.word)
        self.alternative = " ".join(self.alternative.split())
        super().save(*args, **kwargs)


class HouseWordImportError(ValueError):
    """Every problem in an import file, each with its line number; nothing was saved."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def import_house_words(text: str) -> tuple[int, int]:
    """Rows of `word,alternative` added or updated, all or nothing: (added, updated).
    A first row reading `word,alternative` is a header and skipped."""
    errors, rows, seen = [], [], {}
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    for row in reader:
        n = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if n == 1 and [c.lower() for c in cells] == ["word", "alternative"]:
            continue
        if len(cells) != 2:
            errors.append(f"line {n}: write two columns, word,alternative (found {len(cells)})")
            continue
        word, alternative = normalise_word(cells[0]), cells[1]
        if not word or not alternative:
            errors.append(f"line {n}: both the word and its alternative are needed")
            continue
        if len(word) > 100 or len(alternative) > 200:
            errors.append(f"line {n}: too long (a word up to 100 characters, its alternative 200)")
            continue
        if word in seen:
            errors.append(f"line {n}: “{word}” is already on line {seen[word]}")
            continue
        seen[word] = n
        rows.append((word, alternative))
    if errors:
        raise HouseWordImportError(errors)
    if not rows:
        raise HouseWordImportError(["the file has no rows of word,alternative"])
    added = updated = 0
    with transaction.atomic():
        existing = {normalise_word(w.word): w for w in HouseWord.objects.select_for_update()}
        for word, alternative in rows:
            current = existing.get(word)
            if current is None:
                house_word = HouseWord(word=word, alternative=alternative)
                house_word.full_clean()
                house_word.save()
                added += 1
            elif current.alternative != alternative:
                current.alternative = alternative
                current.save()
                updated += 1
    return added, updated

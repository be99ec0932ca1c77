"""Search that meets readers' words: synonym sets, promoted answers, the published words
(with a trigram index on PostgreSQL, for "Did you mean"), and the daily search counts."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from answers.roles import sync_groups_with_new_models

TRIGRAM_INDEX = "answers_searchword_word_trgm"


def fill_vocabulary(apps, schema_editor):
    """The words of the snapshots already published."""
    from answers import search_terms

    PublishedAnswer = apps.get_model("answers", "PublishedAnswer")
    SearchWord = apps.get_model("answers", "SearchWord")
    found = set()
    for question, text in PublishedAnswer.objects.values_list("question", "search_text").iterator():
        found |= search_terms.vocabulary_words(question) | search_terms.vocabulary_words(text)
    SearchWord.objects.bulk_create(
        (SearchWord(word=word, length=len(word)) for word in sorted(found)),
        ignore_conflicts=True,
        batch_size=500,
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {TRIGRAM_INDEX} ON answers_searchword USING gin (word gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")



class Migration(migrations.Migration):

    dependencies = [
        ('answers', '0029_publishedanswer_by_question'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name='SearchCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('query', models.CharField(max_length=200)),
                ('searches', models.PositiveIntegerField(default=0)),
                ('found_nothing', models.PositiveIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'search report',
                'verbose_name_plural': 'search report',
                'ordering': ['-day', '-searches'],
                'constraints': [models.UniqueConstraint(fields=('day', 'query'), name='search_count_day_query')],
            },
        ),
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.CharField(max_length=60, unique=True)),
                ('length', models.PositiveSmallIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['length', 'word'], name='searchword_length_word')],
            },
        ),
        migrations.CreateModel(
            name='SynonymSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('terms', models.TextField(help_text='The words or phrases that mean the same, separated by commas: “heart attack, myocardial infarction, MI”. Only true equivalents.')),
                ('source', models.CharField(choices=[('editor', 'Written by an editor'), ('import', 'Imported from a file'), ('glossary', 'Other names of a glossary term')], default='editor', max_length=20)),
                ('source_note', models.CharField(blank=True, help_text='Where the set came from (a file name, a term).', max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['terms'],
                'constraints': [models.CheckConstraint(condition=models.Q(('source__in', ['editor', 'import', 'glossary'])), name='synonym_set_source_valid')],
            },
        ),
        migrations.CreateModel(
            name='SearchPromotion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(help_text='What readers type, e.g. “water pills”.', max_length=200)),
                ('query_key', models.CharField(db_index=True, editable=False, max_length=400)),
                ('position', models.PositiveSmallIntegerField(default=1, help_text='Order among the answers promoted for the same query (1 first).')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('publication', models.ForeignKey(help_text='A published answer; it shows only while it is live.', on_delete=django.db.models.deletion.CASCADE, related_name='promotions', to='answers.publishedanswer', verbose_name='answer')),
            ],
            options={
                'ordering': ['query_key', 'position', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('query_key', 'publication'), name='search_promotion_unique')],
            },
        ),
        migrations.CreateModel(
            name='SynonymTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(db_index=True, max_length=200)),
                ('term', models.CharField(help_text='As the editor wrote it.', max_length=100)),
                ('synonym_set', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='keys', to='answers.synonymset')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('synonym_set', 'key'), name='synonym_term_unique')],
            },
        ),
        migrations.RunPython(fill_vocabulary, drop_trigram_index, elidable=False),
        migrations.RunPython(sync_groups_with_new_models, migrations.RunPython.noop),
    ]

import os
import secrets
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from answers.importing import import_article
from answers.models import Answer, Contributor, Topic, TopicName
from answers.roles import EDITORS, MEDICAL_REVIEWERS, WRITERS, sync_groups
from answers.synonyms import import_synonyms
from citations.readers import read_references

DEMO_CONTENT = Path(__file__).resolve().parents[2] / "demo_content"
ARTICLES = [
    ("car-t-multiple-sclerosis.txt", "car-t-multiple-sclerosis.references.json", False),
    ("sglt2-heart-failure.txt", "sglt2-heart-failure.references.ris", True),
]
# The article format carries no certainty of evidence and nobody has graded the sample's
# evidence: the demo says exactly that, shown to readers as incomplete, never a made-up level.
DEMO_CERTAINTY_REASON = (
    "Nobody has yet assessed the studies behind this demo answer with GRADE, the usual method "
    "for grading the certainty of evidence."
)
# What earlier versions of this command published: a level nobody had assessed.
OLD_PLACEHOLDER_REASON = (
    "Demo placeholder, not an assessment: nobody has graded this evidence yet. The level "
    "shown only lets the demo publish; a writer and a clinician must set the real one."
)
# Topics are the editors' to create; the writer imports into them. With Spanish configured,
# each has its Spanish name: the names of the specialties, no medical statement. No Spanish
# topic page shows until a translation in the topic is signed off and published.
TOPICS = [("Oncology", "oncology", "Oncología"), ("Cardiology", "cardiology", "Cardiología")]
ACCOUNTS = [
    # username, group, display name, credentials, role
    ("writer", WRITERS, "Demo Writer", "", "Medical writer (demo account)"),
    ("clinician", MEDICAL_REVIEWERS, "Demo Clinician", "MD", "Medical reviewer (demo account)"),
    ("editor", EDITORS, "Demo Editor", "", "Managing editor (demo account)"),
]
# With Spanish configured (`make run` sets CONTENT_LANGUAGES=es), a clinician who reads it:
# translations into Spanish are signed off only by a clinician who declared the language.
# The demo publishes no Spanish text: nobody translated or reviewed one.
SPANISH_REVIEWER = (
    "revisora",
    MEDICAL_REVIEWERS,
    "Demo Revisora",
    "MD",
    "Medical reviewer, reads Spanish (demo account)",
)


class Command(BaseCommand):
    help = (
        "Load the demo: groups, the demo accounts writer, clinician and editor, and the two "
        "sample articles, the SGLT2 one carried through review to publication. Idempotent."
    )

    def handle(self, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates accounts with a known password, so it only runs with DEBUG on."
            )
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        with transaction.atomic():
            sync_groups(apps)
            users = {name: self.account(name, *rest, password=password) for name, *rest in ACCOUNTS}
            if "es" in settings.CONTENT_LANGUAGES:
                name, *rest = SPANISH_REVIEWER
                users[name] = self.account(name, *rest, password=password, languages="es")
                self.stdout.write(
                    "Spanish: the clinician revisora signs off Spanish translations; none is "
                    "published (Translations by language in the admin lists what is missing)."
                )
            for name, slug, spanish in TOPICS:
                topic = Topic.objects.get_or_create(name=name, defaults={"slug": slug})[0]
                if "es" in settings.CONTENT_LANGUAGES:
                    TopicName.objects.get_or_create(
                        topic=topic, language="es", defaults={"name": spanish}
                    )
            synonyms = import_synonyms(
                (DEMO_CONTENT / "synonyms.txt").read_text(encoding="utf-8"),
                source_note="synonyms.txt (demo starter set)",
            )
            self.stdout.write(f"Search synonym sets: {synonyms['created']} added.")
            for article, references, publish in ARTICLES:
                answer = self.import_once(article, references, author=users["writer"])
                if publish and answer.status == Answer.Status.DRAFT and not answer.has_publication:
                    self.propose_certainty(answer, by=users["writer"])
                    self.review(answer, users, password=password)
                    self.stdout.write(f"Submitted by writer and approved by clinician: {answer}")
                elif publish and answer.certainty_reason == OLD_PLACEHOLDER_REASON:
                    self.correct_placeholder(answer, users, password=password)
        self.stdout.write(
            self.style.SUCCESS("Demo ready.")
            + " Log in at /admin/ as writer, clinician"
            + (", revisora" if "es" in settings.CONTENT_LANGUAGES else "")
            + " or editor with the password: "
            + password
        )

    def propose_certainty(self, answer, *, by):
        """The plain-text article format carries no certainty statement, and nobody has graded
        the sample article's evidence: the writer says so rather than invent a grade."""
        if answer.certainty:
            return
        with answer.editing(by=by, comment="Certainty of evidence: not yet graded") as locked:
            locked.certainty = Answer.Certainty.NOT_GRADED
            locked.certainty_reason = DEMO_CERTAINTY_REASON

    def review(self, answer, users, *, password, **approval):
        answer.submit(by=users["writer"])
        answer.approve(
            by=users["clinician"],
            shown_hash=answer.content_hash(),
            password=password,
            sources_checked=True,
            wording_safe=True,
            **approval,
        )

    def correct_placeholder(self, answer, users, *, password):
        """A demo database loaded by an earlier version published a certainty level nobody
        had assessed: correct it through the workflow, flagged to readers as a correction."""
        if answer.status == Answer.Status.IN_REVIEW:
            answer.request_changes(
                by=users["clinician"], comment="The certainty of the evidence was never graded."
            )
            answer.refresh_from_db()
        answer.certainty = ""
        self.propose_certainty(answer, by=users["writer"])
        self.review(
            answer,
            users,
            password=password,
            change_summary="The certainty of the evidence had not been graded: the level shown "
            "before was a demo placeholder.",
            is_correction=True,
        )
        self.stdout.write(f"Corrected the demo's placeholder certainty of evidence: {answer}")

    def account(self, username, group, name, credentials, role, *, password, languages=""):
        user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        user.is_staff = True
        # example.org is reserved for examples: `make run` prints the notification emails.
        user.email = user.email or f"{username}@example.org"
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        Contributor.objects.update_or_create(
            user=user,
            defaults={
                "display_name": name,
                "credentials": credentials,
                "role_title": role,
                "languages": languages,
            },
        )
        return user

    def import_once(self, article, references, *, author):
        data = (DEMO_CONTENT / article).read_bytes()
        records = read_references((DEMO_CONTENT / references).read_bytes(), filename=references)
        report = import_article(
            data, filename=article, references=records, references_name=references, author=author
        )
        if report.ok:
            for line in report.lines():
                self.stdout.write(line)
            return report.answer
        question = data.decode("utf-8-sig").splitlines()[0]
        answer = Answer.objects.filter(question__text=question).first()
        if answer is None:
            raise CommandError("\n".join(report.lines()))
        self.stdout.write(f"{article}: already imported")
        return answer

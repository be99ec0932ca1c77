"""The glossary: definitions signed off like answers, on every path (model, admin, import,
shell), and shown to readers only as signed off. The words below are test placeholders,
not medical definitions."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from answers.admin.my_work import my_work
from answers.checklist import review_checklist
from answers.glossary_import import GlossaryFileError, import_glossary
from answers.models import (
    GlossarySignOff,
    GlossaryTerm,
    StaleSignature,
    SynonymSet,
    WorkflowError,
)
from answers.public.glossary import PublicTerm, link_first_uses
from tests.factories import (
    login,
    make_clinician,
    make_editor,
    make_writer,
    messages_of,
    public_page,
    publish_answer,
)

pytestmark = pytest.mark.django_db

DEFINITION = "Placeholder definition one. It has a second sentence."


def written(*, writer=None, term="Widget score", other_names="WS", definition=DEFINITION):
    writer = writer or make_writer()
    item = GlossaryTerm(term=term, definition=definition, other_names=other_names)
    item._history_user = writer
    item.save()
    return item, writer


def signed(item, clinician=None, **overrides):
    item.refresh_from_db()
    signing = {
        "by": clinician or make_clinician(),
        "password": "pw",
        "shown_hash": item.content_hash(),
        **overrides,
    }
    item.approve(**signing)
    return signing["by"]


def public_term(**kwargs):
    item, writer = written(**kwargs)
    item.submit(by=writer)
    signed(item)
    return item


# ------------------------------------------------------------------ the workflow


def test_a_definition_is_public_only_once_a_clinician_signs_it_off():
    item, writer = written()
    assert not GlossaryTerm.objects.public().exists()
    item.submit(by=writer)
    assert not GlossaryTerm.objects.public().exists()
    clinician = signed(item)
    item.refresh_from_db()
    assert item.is_public and item.public_definition == DEFINITION
    signoff = GlossarySignOff.objects.get(term=item)
    assert (signoff.reviewer, signoff.content_hash) == (clinician, item.content_hash())
    assert signoff.chain_hash  # in the audit chain


def test_a_writer_cannot_sign_off_and_a_clinician_never_signs_their_own_definition():
    item, writer = written()
    item.submit(by=writer)
    with pytest.raises(WorkflowError, match="Only medical reviewers"):
        signed(item, writer)
    clinician = make_clinician()
    item.term = "Widget score"
    item.definition = "Placeholder definition two."
    item._history_user = clinician
    item.save()
    with pytest.raises(WorkflowError, match="another clinician must sign it off"):
        signed(item, clinician)


def test_a_signature_on_a_page_showing_older_wording_signs_nothing():
    item, writer = written()
    item.submit(by=writer)
    shown = item.content_hash()
    GlossaryTerm.objects.filter(pk=item.pk).update(definition="Placeholder changed in the shell.")
    with pytest.raises(StaleSignature):
        signed(item, shown_hash=shown)
    assert not GlossaryTerm.objects.public().exists()


def test_wording_changed_after_submission_cannot_be_signed_even_as_shown():
    item, writer = written()
    item.submit(by=writer)
    GlossaryTerm.objects.filter(pk=item.pk).update(definition="Placeholder changed in the shell.")
    with pytest.raises(WorkflowError, match="changed after it was submitted"):
        signed(item)  # the page shows the new wording, but it was never submitted


def test_a_wrong_password_signs_nothing():
    item, writer = written()
    item.submit(by=writer)
    with pytest.raises(WorkflowError, match="password"):
        signed(item, password="wrong")
    item.refresh_from_db()
    assert not item.is_public and item.status == "in_review"


def test_changes_requested_and_a_new_draft_leave_the_public_wording_alone():
    item = public_term()
    item.definition = "Placeholder next draft."
    item._history_user = make_writer()
    item.save()
    assert item.differs_from_publication and item.is_draft
    assert GlossaryTerm.objects.public().get().public_definition == DEFINITION
    item.submit(by=make_writer())
    item.request_changes(by=make_clinician(), comment="Shorter, please.")
    item.refresh_from_db()
    assert item.review_comment == "Shorter, please."
    assert item.public_definition == DEFINITION
    with pytest.raises(WorkflowError, match="Say what to change"):
        item.submit(by=make_writer())
        item.request_changes(by=make_clinician(), comment=" ")


def test_an_editor_takes_a_term_down_with_a_reason():
    item = public_term()
    with pytest.raises(WorkflowError, match="Only editors"):
        item.withdraw(by=make_writer(), reason="x")
    with pytest.raises(WorkflowError, match="reason"):
        item.withdraw(by=make_editor(), reason=" ")
    item.withdraw(by=make_editor(), reason="Replaced by a clearer term.")
    assert not GlossaryTerm.objects.public().exists()
    assert "Replaced by a clearer term" in item.history.first().history_change_reason


def test_a_definition_is_one_to_three_plain_sentences():
    item, writer = written(definition="One. Two. Three. Four.")
    with pytest.raises(WorkflowError, match="3 sentences"):
        item.submit(by=writer)


# ------------------------------------------------------------------ the admin


def test_the_admin_runs_the_whole_workflow_and_refuses_edits_in_review():
    writer, clinician = make_writer(), make_clinician()
    add = login(writer).post(
        reverse("admin:answers_glossaryterm_add"),
        {"term": "Widget score", "definition": DEFINITION, "other_names": "WS"},
    )
    assert add.status_code == 302, add.content
    item = GlossaryTerm.objects.get()
    assert item.history.first().history_user == writer
    url = reverse("admin:answers_glossaryterm_workflow", args=[item.pk, "submit"])
    assert login(writer).post(url).status_code == 302
    item.refresh_from_db()
    assert item.status == "in_review"

    change = reverse("admin:answers_glossaryterm_change", args=[item.pk])
    login(writer).post(change, {"term": "Widget score", "definition": "Sneaked in."})
    item.refresh_from_db()
    assert item.definition == DEFINITION  # read-only in review

    page = login(clinician).get(change)
    assert b"Sign off this definition" in page.content
    shown = page.context["workflow"]["sign_form"]["shown_hash"].value()
    approve = reverse("admin:answers_glossaryterm_workflow", args=[item.pk, "approve"])
    wrong = login(clinician).post(approve, {"password": "no", "shown_hash": shown}, follow=True)
    assert any("password was not right" in m for m in messages_of(wrong))
    done = login(clinician).post(approve, {"password": "pw", "shown_hash": shown}, follow=True)
    assert "Signed off: readers now see this definition." in messages_of(done)
    assert GlossaryTerm.objects.public().count() == 1


def test_a_writer_posting_approve_by_hand_signs_nothing():
    item, writer = written()
    item.submit(by=writer)
    approve = reverse("admin:answers_glossaryterm_workflow", args=[item.pk, "approve"])
    response = login(writer).post(
        approve, {"password": "pw", "shown_hash": item.content_hash()}, follow=True
    )
    assert any("Only medical reviewers" in m for m in messages_of(response))
    assert not GlossaryTerm.objects.public().exists()


# ------------------------------------------------------------------ import


def test_import_glossary_brings_terms_in_as_drafts(tmp_path):
    path = tmp_path / "glossary.csv"
    path.write_text(
        "term,definition,other names\n"
        'Widget score,Placeholder one.,"WS; widget index"\n'
        "Gadget level,Placeholder two.,\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_glossary", str(path), stdout=out)
    assert "2 terms imported as drafts" in out.getvalue()
    assert GlossaryTerm.objects.count() == 2
    assert not GlossaryTerm.objects.public().exists()
    assert GlossaryTerm.objects.get(term="Widget score").other_names == "WS, widget index"
    with pytest.raises(CommandError, match="already in the glossary"):
        call_command("import_glossary", str(path))
    call_command("import_glossary", str(path), "--skip-existing", stdout=StringIO())
    assert GlossaryTerm.objects.count() == 2


def test_a_bad_glossary_file_names_each_line_and_imports_nothing():
    data = (
        b"term,definition,other names\n"
        b"Widget score,Placeholder one.,\n"
        b",Placeholder two.,\n"
        b"Widget score,Placeholder three.,\n"
        b"Gadget,One. Two. Three. Four.,\n"
    )
    with pytest.raises(GlossaryFileError) as error:
        import_glossary(data, filename="g.csv")
    problems = error.value.problems
    assert any(p.startswith("Line 3: the term is empty") for p in problems)
    assert any(p.startswith("Line 4:") and "also on line 2" in p for p in problems)
    assert any(p.startswith("Line 5:") and "3 sentences" in p for p in problems)
    assert not GlossaryTerm.objects.exists()
    with pytest.raises(GlossaryFileError, match="first line must name the columns"):
        import_glossary(b"a,b\n", filename="g.csv")
    with pytest.raises(GlossaryFileError, match="not UTF-8"):
        import_glossary(b"term,definition\n\xff\n", filename="g.csv")


# ------------------------------------------------------------------ the public side


def test_the_first_use_links_to_its_definition_never_inside_links_or_headings():
    terms = [PublicTerm("Widget score", "widget-score", "Placeholder.", ("WS",))]
    lead = '<p>See <a href="/x">widget score</a>. A widget  score and WS again.</p>'
    body = "<h2>Widget score</h2><p>Widget score here.</p>"
    (lead, body), used = link_first_uses([lead, body], terms)
    assert used == terms
    assert lead.count('class="glossary-link"') == 1
    assert '<a href="/x">widget score</a>' in lead  # not inside a link
    assert 'href="#define-widget-score" id="use-widget-score"' in lead
    assert ">widget  score</a>" in lead  # the reader's own words, as written
    assert "glossary-link" not in body  # only the first use


def test_a_public_answer_explains_a_signed_off_term_and_not_a_draft_one():
    answer = publish_answer(lead="A widget score was measured [1].")
    item, writer = written()
    assert b"glossary-link" not in public_page(answer).content
    item.submit(by=writer)
    signed(item)
    page = public_page(answer).content.decode()
    assert 'href="#define-widget-score"' in page
    assert '<dt id="define-widget-score">Widget score</dt>' in page
    assert DEFINITION in page
    item.definition = "Placeholder unreviewed draft."
    item.save()
    assert "Placeholder unreviewed draft" not in public_page(answer).content.decode()


def test_the_glossary_page_lists_terms_a_to_z_as_defined_terms():
    public_term(term="Widget score")
    public_term(term="Apple index", other_names="")
    written(term="Zebra draft")
    response = Client().get(reverse("glossary"))
    page = response.content.decode()
    assert page.index("Apple index") < page.index("Widget score")
    assert "Zebra draft" not in page
    data = json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["@type"] == "DefinedTermSet"
    assert [t["name"] for t in data["hasDefinedTerm"]] == ["Apple index", "Widget score"]
    assert data["hasDefinedTerm"][1]["alternateName"] == ["WS"]
    assert "glossary" in response[settings.SURROGATE_KEY_HEADER].split()


def test_the_sitemap_lists_the_glossary_once_a_term_is_public():
    sitemap = reverse("sitemap_section", args=["glossary"])
    assert reverse("glossary") not in Client().get(sitemap).content.decode()
    public_term()
    assert reverse("glossary") in Client().get(sitemap).content.decode()


def test_definitions_waiting_for_review_are_on_a_clinicians_my_work():
    item, writer = written()
    item.submit(by=writer)
    lists = {work.key: work for work in my_work(make_clinician())}
    assert [i.title for i in lists["glossary"].items] == ["Widget score"]
    assert "glossary" not in {work.key for work in my_work(writer)}


def test_a_word_the_glossary_explains_is_not_flagged_as_rare():
    answer = publish_answer(lead="Test: nephrolithiasis was seen [1].")
    assert any("nephrolithiasis" in item.message for item in review_checklist(answer).items)
    public_term(term="Nephrolithiasis", other_names="")
    assert not any("nephrolithiasis" in item.message for item in review_checklist(answer).items)


def test_a_signed_off_terms_other_names_feed_search_and_leave_with_it():
    item = public_term(term="Widget score", other_names="WS, widget index")
    made = SynonymSet.objects.get(source=SynonymSet.Source.GLOSSARY)
    assert made.terms == "Widget score, WS, widget index"
    item.withdraw(by=make_editor(), reason="Test: replaced.")
    assert not SynonymSet.objects.filter(source=SynonymSet.Source.GLOSSARY).exists()


def test_other_names_that_cannot_make_a_synonym_set_are_refused_in_words():
    item, writer = written(term="Widget score", other_names="widget-score")
    with pytest.raises(WorkflowError, match="twice"):
        item.submit(by=writer)


def test_the_clinician_who_sent_it_back_may_sign_the_resubmission():
    item, writer = written()
    item.submit(by=writer)
    clinician = make_clinician()
    item.request_changes(by=clinician, comment="Test: shorter.")
    item.definition = "Placeholder shorter."
    item._history_user = writer
    item.save()
    item.submit(by=writer)
    signed(item, clinician)
    assert GlossaryTerm.objects.public().get().public_definition == "Placeholder shorter."

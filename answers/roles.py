"""The three editorial roles and exactly the permissions each needs."""

from django.contrib.auth.management import create_permissions

WRITERS = "Writers"
MEDICAL_REVIEWERS = "Medical reviewers"
EDITORS = "Editors"

_WRITE_CONTENT = [
    "answers.view_topic",
    "answers.view_question",
    "answers.add_question",
    "answers.change_question",
    "answers.view_answer",
    "answers.add_answer",
    "answers.change_answer",
    "answers.submit_answer",
    "answers.view_section",
    "answers.add_section",
    "answers.change_section",
    "answers.delete_section",
    "answers.view_historicalanswer",
    "answers.view_contributor",
    "citations.view_reference",
    "citations.add_reference",
    "citations.change_reference",
    "citations.view_citation",
    "citations.add_citation",
    "citations.change_citation",
    "citations.delete_citation",
    "citations.view_referencenotice",
    "citations.view_retractioncheck",
    # Glossary definitions: drafted by writers, signed off by clinicians, like answers.
    "answers.view_glossaryterm",
    "answers.add_glossaryterm",
    "answers.change_glossaryterm",
    "answers.submit_glossaryterm",
    "answers.view_houseword",
    # Translations: written like answers, from a published answer's approved version.
    "answers.view_translation",
    "answers.add_translation",
    "answers.change_translation",
    "answers.submit_translation",
    "answers.view_translatedsection",
    "answers.change_translatedsection",
    "answers.view_historicaltranslation",
    # Topics' names in the content languages (editors give them).
    "answers.view_topicname",
]

GROUP_PERMISSIONS = {
    WRITERS: _WRITE_CONTENT,
    MEDICAL_REVIEWERS: [
        "answers.view_topic",
        "answers.view_question",
        "answers.view_answer",
        "answers.review_answer",
        "answers.assign_reviewer",
        "answers.view_section",
        "answers.view_signoff",
        "answers.view_historicalanswer",
        "answers.view_contributor",
        "citations.view_reference",
        # Clinicians mark references retracted.
        "citations.change_reference",
        "citations.view_citation",
        # Clinicians record how a retraction or correction notice was handled.
        "citations.view_referencenotice",
        "citations.change_referencenotice",
        "citations.view_retractioncheck",
        "answers.view_glossaryterm",
        "answers.review_glossaryterm",
        "answers.view_glossarysignoff",
        "answers.view_houseword",
        "answers.view_reviewsteprecord",
        # Translations into a language they declared on their contributor profile.
        "answers.view_translation",
        "answers.review_translation",
        "answers.view_translatedsection",
        "answers.view_translationsignoff",
        "answers.view_historicaltranslation",
        "answers.view_topicname",
    ],
    EDITORS: _WRITE_CONTENT
    + [
        "answers.add_topic",
        "answers.change_topic",
        # A topic's name and description in each content language.
        "answers.add_topicname",
        "answers.change_topicname",
        "answers.delete_topicname",
        # The sections new answers in a topic start with.
        "answers.view_topicsection",
        "answers.add_topicsection",
        "answers.change_topicsection",
        "answers.delete_topicsection",
        # A topic's review route: its ordered steps.
        "answers.view_reviewstep",
        "answers.add_reviewstep",
        "answers.change_reviewstep",
        "answers.delete_reviewstep",
        "answers.view_reviewsteprecord",
        "answers.withdraw_answer",
        "answers.assign_reviewer",
        "answers.view_signoff",
        "answers.add_contributor",
        "answers.change_contributor",
        "answers.view_publishedanswer",
        "answers.withdraw_glossaryterm",
        "answers.withdraw_translation",
        "answers.view_translationsignoff",
        "answers.view_publishedtranslation",
        # The link health report.
        "answers.view_outboundlink",
        "answers.view_glossarysignoff",
        "answers.view_readerfeedback",
        "answers.change_readerfeedback",
        # The problem reports' queue (a proxy of reader feedback).
        "answers.view_problemreport",
        "answers.change_problemreport",
        "answers.view_sitepage",
        "answers.add_sitepage",
        "answers.change_sitepage",
        "answers.view_historicalsitepage",
        # The house list of words to avoid, with their plain alternatives.
        "answers.add_houseword",
        "answers.change_houseword",
        "answers.delete_houseword",
        # Search: the synonyms and promoted answers editors keep, and the search report.
        "answers.view_synonymset",
        "answers.add_synonymset",
        "answers.change_synonymset",
        "answers.delete_synonymset",
        "answers.view_searchpromotion",
        "answers.add_searchpromotion",
        "answers.change_searchpromotion",
        "answers.delete_searchpromotion",
        "answers.view_searchcount",
        # The daily jobs' runs (the scheduler writes them).
        "ops.view_scheduledrun",
        # Releases: answers that go live together (only editors; `is_editor` too).
        "answers.view_release",
        "answers.add_release",
        "answers.change_release",
        "answers.publish_release",
        "answers.view_releaseevent",
    ],
}


def is_editor(user) -> bool:
    """Editors oversee the desk as a whole (unassigned reviews, schedules, reader reports):
    membership of the group, not one of its permissions standing in for it."""
    return user.is_active and (user.is_superuser or user.groups.filter(name=EDITORS).exists())


def sync_groups_with_new_models(apps, schema_editor=None):
    """For a migration that creates models: their permissions are made now (Django makes
    them only once every migration has run), then each group gets exactly its own."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_groups(apps)


def sync_groups(apps):
    """Create the groups and give each exactly its permissions (used by a data migration)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            # A model a later migration creates has no permission yet: that migration syncs again.
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)

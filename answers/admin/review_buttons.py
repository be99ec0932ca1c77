"""The medical-review buttons that the glossary's and the translations' change pages share
(the answer has a review page of its own): which buttons this person gets, the send-back and
take-down forms, and the fields that are read-only while they may not edit. Whether a button
shows is the model's `refusals`; what it does is the model's transition, through
`object_actions.carry_out`. The page is templates/admin/answers/review_change_form.html."""

from django import forms


class SendBackForm(forms.Form):
    comment = forms.CharField(label="What should change?", widget=forms.Textarea(attrs={"rows": 3}))


class TakeDownForm(forms.Form):
    reason = forms.CharField(
        label="Why take it off the public site?", widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewButtonsAdmin:
    """For the ModelAdmin of content a clinician signs off: its model has `refusals` and
    `content_hash`; `sign_form` signs it (password and the `shown_hash` of the page)."""

    sign_form = None

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.refusals("edit", request.user):
            return self.fields
        return []

    def review_buttons(self, obj, user) -> dict:
        """The change page's buttons for `user`, each only where the model allows it."""
        return {
            "can_submit": not obj.refusals("submit", user),
            "can_review": not obj.refusals("review", user),
            "approve_refusals": obj.refusals("approve", user),
            "can_withdraw": not obj.refusals("withdraw", user),
            "sign_form": self.sign_form(
                initial={"shown_hash": obj.content_hash()}, auto_id="sign-%s"
            ),
            "comment_form": SendBackForm(auto_id="changes-%s"),
            "withdraw_form": TakeDownForm(auto_id="withdraw-%s"),
        }

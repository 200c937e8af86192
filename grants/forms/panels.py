"""Scoring panels: set-up, assignments, declarations, scorecards and moderation.

They validate input only; grants.services.panels applies the rules.

crispy-forms-gds renders labels, legends and hints unescaped: anything typed by
a person goes into them through `escape`.
"""

from decimal import Decimal

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.db.models import Prefetch
from django.utils.html import escape

from partners.enums import MembershipStatus, Role
from partners.models import Membership, User
from svd_portal.forms import DateInput

from ..enums import AssignmentMode, Recommendation
from .common import MoneyField, helper


def panellist_label(user) -> str:
    """A member as staff pick them: the organisation they represent on the panel (the
    first active membership, as the panel set-up takes it) after their name."""
    organisation = next((m.organisation.name for m in user.active_memberships), None)
    return f"{user.full_name}, {organisation or 'no organisation'} ({user.email})"


class PanelForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label="Members",
        widget=forms.CheckboxSelectMultiple,
        help_text="People in the Panel member role; each represents their partner organisation",
        error_messages={"required": "Select the members of the panel"},
    )
    chair = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Chair",
        help_text="One of the members",
        error_messages={"required": "Select the chair of the panel"},
    )
    deputy_chair = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Deputy chair (optional)",
        required=False,
        empty_label="No deputy chair",
        help_text="One of the members: moderates the applications on which the chair declares "
        "a conflict. Without one, OPCC staff moderate them",
    )
    assignment_mode = forms.ChoiceField(
        label="Who scores what",
        choices=AssignmentMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who scores what"},
    )
    hide_applicant_identity = forms.BooleanField(
        label="Hide applicants' names from members while they score", required=False
    )
    spread_threshold = forms.DecimalField(
        label="Flag an application for discussion when members' totals differ by more than (percentage points)",
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=Decimal("20"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    scoring_deadline = forms.DateField(
        label="Score by (optional)",
        required=False,
        widget=DateInput,
        help_text="The day members should have declared and scored by: they see it on their "
        "pages, and the email to people added says it",
        error_messages={"invalid": "Enter the day to score by as a real date"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        panellists = (
            User.objects.filter(groups__name=Role.PANEL_MEMBER, is_active=True)
            .order_by("full_name")
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.filter(
                        status=MembershipStatus.ACTIVE
                    ).select_related("organisation"),
                    to_attr="active_memberships",
                )
            )
        )
        for name in ("members", "chair", "deputy_chair"):
            self.fields[name].queryset = panellists
            self.fields[name].label_from_instance = panellist_label
        self.helper = helper(
            Field.checkboxes("members", legend_size=Size.MEDIUM),
            Field.select("chair"),
            Field.select("deputy_chair"),
            Field.radios("assignment_mode", legend_size=Size.SMALL),
            Field.checkbox("hide_applicant_identity"),
            Field.text("spread_threshold", field_width=5),
            Field.text("scoring_deadline", field_width=10),
            submit="Save panel",
        )


class AssignmentForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Applications to score",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications
        self.fields["applications"].label_from_instance = lambda a: f"{a.reference}: {a.title}"
        self.helper = helper(
            Field.checkboxes("applications", small=True), submit="Save assignments"
        )


class DeclarationForm(forms.Form):
    has_interest = forms.TypedChoiceField(
        label="Do you, or anyone close to you, have an interest in this organisation or project?",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="For example you work with, fund, manage or volunteer for it, or a relative does",
    )
    interest = forms.CharField(
        label="Describe the interest",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_conflict = forms.BooleanField(
        label="This is a conflict of interest: I should not see or score this application",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.radios("has_interest", legend_size=Size.SMALL),
            Field.textarea("interest"),
            Field.checkbox("is_conflict"),
            submit="Make declaration",
        )


def _score_choices(criterion):
    return [("", "Not scored yet")] + [(str(n), str(n)) for n in range(criterion.scale_max + 1)]


class ScorecardForm(forms.Form):
    """A score and a comment per criterion; fields are named score_<id> and comment_<id>."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        layout = []
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"Score (0 to {criterion.scale_max})",
                help_text=escape(f"Weight {criterion.weight.normalize():f}. {criterion.guidance}"),
                choices=_score_choices(criterion),
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label="Comment",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            layout.append(
                Fieldset(
                    Field.select(f"score_{criterion.pk}"),
                    Field.textarea(f"comment_{criterion.pk}"),
                    legend=escape(f"{criterion.number}. {criterion.title}"),
                    legend_size=Size.MEDIUM,
                )
            )
        self.helper = helper(*layout, submit="Submit scorecard", secondary="Save as draft")

    def marks(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (
                self.cleaned_data.get(f"score_{c.pk}"),
                self.cleaned_data.get(f"comment_{c.pk}", ""),
            )
            for c in self.criteria
        }


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen this scorecard?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ModerationForm(forms.Form):
    rationale = forms.CharField(
        label="The panel's rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        required=False,
    )
    recommendation = forms.ChoiceField(
        label="Recommendation",
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    conditions = forms.CharField(
        label="Conditions (when funding with conditions)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    recommended_amount = MoneyField(
        label="Amount recommended (£)",
        required=False,
        min_value=Decimal("0"),
        widget=forms.TextInput,
    )

    def __init__(self, *args, criteria, outstanding: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        confirm = []
        if outstanding:
            # Asked only while scorecards are outstanding: recording then is a choice.
            self.fields["confirm_outstanding"] = forms.BooleanField(
                label=(
                    f"Record the outcome although {outstanding} scorecard"
                    f"{'s are' if outstanding != 1 else ' is'} outstanding"
                ),
                required=True,
                error_messages={
                    "required": "Confirm that you want to record the outcome although "
                    "scorecards are outstanding"
                },
            )
            confirm.append(Field.checkbox("confirm_outstanding"))
        score_fields = []
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=escape(f"{criterion.number}. {criterion.title} (0 to {criterion.scale_max})"),
                choices=_score_choices(criterion),
                coerce=int,
                empty_value=None,
                required=False,
            )
            score_fields.append(Field.select(f"score_{criterion.pk}"))
        self.helper = helper(
            Fieldset(*score_fields, legend="Consensus scores", legend_size=Size.MEDIUM),
            Field.textarea("rationale"),
            Field.radios("recommendation", legend_size=Size.MEDIUM),
            Field.textarea("conditions"),
            Field.text("recommended_amount", field_width=10),
            *confirm,
            submit="Record moderation",
        )

    def scores(self) -> dict[int, int]:
        return {
            c.pk: self.cleaned_data[f"score_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }

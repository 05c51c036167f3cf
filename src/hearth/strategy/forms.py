from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.strategy.catalogue.loader import load_catalogue
from hearth.strategy.files import CITY_SIZES, INCOME_LEVELS
from hearth.strategy.fit import DEVICE_CLASS, MARKET_CHOICES
from hearth.strategy.models import CanvasVersion, Community, Direction, Goal, Portrait, Project
from hearth.strategy.smart import CONSTRAINT_KINDS, TARGET_KINDS


class ProjectForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=lambda: [(z, z) for z in sorted(zoneinfo.available_timezones())],
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "topic",
            "offer",
            "average_bill",
            "currency",
            "price_segment",
            "sales_model",
            "geography",
            "countries",
            "time_zone",
        ]


class CanvasForm(forms.ModelForm):
    tasks = forms.MultipleChoiceField(
        label=_("Tasks chosen (M1)"),
        choices=Direction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CanvasVersion
        fields = CanvasVersion.FIELDS
        widgets = {
            f: forms.Textarea(attrs={"rows": 3}) for f in CanvasVersion.FIELDS if f != "tasks"
        }


def _format_choices():
    return [(key, key.replace("_", " ")) for key in load_catalogue().formats]


class PortraitForm(forms.ModelForm):
    devices = forms.MultipleChoiceField(
        label=_("Devices"),
        choices=[(d, d) for d in DEVICE_CLASS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_formats = forms.MultipleChoiceField(
        label=_("Preferred content formats"),
        choices=_format_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    city_size = forms.ChoiceField(
        label=_("City size"), choices=[("", "—"), *[(c, c) for c in CITY_SIZES]], required=False
    )
    income = forms.ChoiceField(
        label=_("Income level"),
        choices=[("", "—"), *[(c, c.replace("_", " ")) for c in INCOME_LEVELS]],
        required=False,
    )
    buying_behaviour = forms.ChoiceField(
        label=_("Buying behaviour"),
        choices=[("", "—"), ("impulse", _("impulse")), ("researched", _("researched"))],
        required=False,
    )
    market = forms.ChoiceField(
        label=_("B2B or B2C"), choices=[(m, m.upper()) for m in MARKET_CHOICES]
    )

    class Meta:
        model = Portrait
        fields = [
            "name",
            "is_primary",
            "age_min",
            "age_max",
            "share_female",
            "countries",
            "cities",
            "city_size",
            "devices",
            "income",
            "interests",
            "life_situation",
            "objections",
            "buying_behaviour",
            "preferred_formats",
            "market",
        ]
        widgets = {
            "life_situation": forms.Textarea(attrs={"rows": 2}),
            "objections": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        data = super().clean()
        lo, hi = data.get("age_min"), data.get("age_max")
        if lo is not None and hi is not None and not 10 <= lo <= hi <= 100:
            self.add_error("age_max", _("Ages must satisfy 10 ≤ from ≤ to ≤ 100."))
        if data.get("share_female") is not None and data["share_female"] > 100:
            self.add_error("share_female", _("A share is at most 100 %."))
        return data


class GoalForm(forms.ModelForm):
    target_kind = forms.ChoiceField(label=_("Target kind"), choices=[(k, k) for k in TARGET_KINDS])
    floor_kind = forms.ChoiceField(label=_("Floor kind"), choices=[(k, k) for k in TARGET_KINDS])
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[("project", _("project")), ("network", _("network")), ("channel", _("channel"))],
    )
    constraints_text = forms.CharField(
        label=_("Constraints"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line: metric kind value [unit], kind one of %(kinds)s — e.g. “ad_budget max_growth_pct 5”."
        )
        % {"kinds": ", ".join(CONSTRAINT_KINDS)},
    )

    class Meta:
        model = Goal
        fields = [
            "title",
            "direction",
            "metric",
            "scope",
            "network",
            "channel",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_kind",
            "floor_value",
            "floor_kind",
            "deadline",
            "owner",
            "for_whom",
            "business_value",
        ]
        widgets = {
            "baseline_date": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "business_value": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["owner"].queryset = members
        if self.instance.pk and not self.is_bound:
            self.initial["constraints_text"] = "\n".join(
                " ".join(str(c.get(k, "")) for k in ("metric", "kind", "value", "unit")).strip()
                for c in self.instance.constraints
            )

    def clean_constraints_text(self):
        parsed = []
        for number, line in enumerate(self.cleaned_data["constraints_text"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) not in (3, 4) or parts[1] not in CONSTRAINT_KINDS:
                raise forms.ValidationError(
                    _("Line %(n)s: expected “metric kind value [unit]”.") % {"n": number}
                )
            try:
                value = float(parts[2])
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Line %(n)s: the value is not a number.") % {"n": number}
                ) from exc
            parsed.append(
                {
                    "metric": parts[0],
                    "kind": parts[1],
                    "value": value,
                    "unit": parts[3] if len(parts) == 4 else "",
                }
            )
        return parsed

    def save(self, commit=True):
        self.instance.constraints = self.cleaned_data["constraints_text"]
        return super().save(commit)


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.FloatField(label=_("Value"))


class MeasurementCsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file with columns date,value"))


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = [
            "network",
            "name",
            "role",
            "feeds",
            "audience_size",
            "cost_per_member",
            "rationale",
        ]
        widgets = {"rationale": forms.Textarea(attrs={"rows": 2})}


class OverrideForm(forms.Form):
    network = forms.CharField(label=_("Network key"), max_length=32)
    field_path = forms.CharField(
        label=_("Figure"),
        max_length=100,
        help_text=_("e.g. gender.female, active_share, age.18-24"),
    )
    value = forms.CharField(label=_("Value (JSON)"), help_text=_("A number such as 0.6, or JSON"))
    note = forms.CharField(label=_("Source or note"), max_length=200, required=False)

    def clean_value(self):
        import json

        raw = self.cleaned_data["value"]
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(e)s") % {"e": exc.msg}) from exc

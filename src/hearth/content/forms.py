from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.content.csv_import import local_to_utc
from hearth.content.models import (
    Channel,
    ContentItem,
    ContractorTask,
    Rubric,
    Variant,
    network_choices,
)
from hearth.content.slots import Slot, parse_slots


class LocalDateTimeField(forms.CharField):
    """A wall-clock date and time read in the project's zone (set ``zone`` before cleaning),
    returned as an aware UTC datetime. Times skipped by a DST change are refused."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    zone: ZoneInfo = ZoneInfo("UTC")

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            naive = datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(_("Enter a date and time.")) from None
        if naive.tzinfo is not None:
            raise forms.ValidationError(_("Enter the time without an offset."))
        try:
            return local_to_utc(naive.date(), naive.time(), self.zone)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def local_value(instant, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if instant else ""


class ChannelForm(forms.ModelForm):
    network = forms.ChoiceField(label=_("Network"), choices=network_choices)
    slots_text = forms.CharField(
        label=_("Posting slots"),
        required=False,
        help_text=_("Weekly times in the project's time zone, e.g. “Mon 09:00, Thu 18:30”."),
    )
    targets_text = forms.CharField(
        label=_("Rubric targets, %"),
        required=False,
        help_text=_("e.g. “Useful 40, Selling 20, Entertaining 40”."),
    )

    class Meta:
        model = Channel
        fields = [
            "network",
            "name",
            "community",
            "cadence_count",
            "cadence_period",
            "requires_client_approval",
        ]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["community"].queryset = project.communities.all()
        if self.instance.pk:
            self.fields["slots_text"].initial = ", ".join(
                s.label() for s in self.instance.slot_list()
            )
            names = dict(project.rubrics.values_list("pk", "name"))
            self.fields["targets_text"].initial = ", ".join(
                f"{names[int(k)]} {v}"
                for k, v in self.instance.rubric_targets.items()
                if int(k) in names
            )

    def clean_slots_text(self) -> list[Slot]:
        try:
            return parse_slots(self.cleaned_data["slots_text"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_targets_text(self) -> dict[str, float]:
        rubrics = {r.name.lower(): r.pk for r in self.project.rubrics.all()}
        targets: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in self.cleaned_data["targets_text"].split(","))):
            name, _sep, number = part.rpartition(" ")
            if name.strip().lower() not in rubrics:
                raise forms.ValidationError(_("No rubric named “%(n)s”.") % {"n": name.strip()})
            try:
                targets[str(rubrics[name.strip().lower()])] = float(number.rstrip("%"))
            except ValueError:
                raise forms.ValidationError(_("Give each rubric a percentage.")) from None
        if targets and abs(sum(targets.values()) - 100) > 0.5:
            raise forms.ValidationError(
                _("The targets add up to %(s)s %%, not 100 %%.")
                % {"s": round(sum(targets.values()), 1)}
            )
        return targets

    def save(self, commit=True):
        self.instance.project = self.project
        self.instance.slots = [s.as_json() for s in self.cleaned_data["slots_text"]]
        self.instance.rubric_targets = self.cleaned_data["targets_text"]
        return super().save(commit)


class RubricForm(forms.ModelForm):
    class Meta:
        model = Rubric
        fields = ["name"]


class ComposerForm(forms.ModelForm):
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"), queryset=Channel.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    planned_at = LocalDateTimeField(label=_("Planned for"), required=False)

    class Meta:
        model = ContentItem
        fields = ["title", "brief", "rubric", "portrait", "goal", "task", "master_text"]
        widgets = {"master_text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, project, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = project.channels.all()
        self.fields["rubric"].queryset = project.rubrics.all()
        self.fields["portrait"].queryset = project.portraits.all()
        self.fields["goal"].queryset = project.goals.all()
        self.fields["task"].queryset = tasks
        self.fields["planned_at"].zone = ZoneInfo(project.time_zone)


class VariantForm(forms.ModelForm):
    planned_at = LocalDateTimeField(label=_("Planned for"), required=False)
    link = forms.URLField(label=_("Link"), required=False, max_length=2000, assume_scheme="https")

    class Meta:
        model = Variant
        fields = ["text", "title", "link", "hashtags", "first_comment"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_at"].zone = zone
        self.fields["planned_at"].initial = local_value(self.instance.planned_at, zone)


class ScheduleForm(forms.Form):
    when = LocalDateTimeField(label=_("Publish at"))

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["when"].zone = zone


class TaskForm(forms.ModelForm):
    class Meta:
        model = ContractorTask
        fields = [
            "title",
            "brief",
            "requirements",
            "deliverables",
            "deadline",
            "fee",
            "currency",
            "assignee",
        ]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, contractors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = contractors


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

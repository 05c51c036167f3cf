from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.leads.importing import KINDS


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=[(k, k) for k in KINDS])
    file = forms.FileField(
        label=_("CSV or Parquet file"),
        help_text=_(
            "subscribers: network, external_id, first_seen[, subscribed_at, unsubscribed_at] · "
            "events: network, external_id, kind, at · purchases: customer_key, amount, at"
            "[, currency, network, external_id]. Times in ISO 8601 with an offset."
        ),
    )

"""Projects and their strategy: canvas (versioned), portraits, goals, community plan."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hearth.strategy.smart import KPIS, RESULTS_BY_DIRECTION

CURRENCIES = [("RUB", "RUB"), ("EUR", "EUR"), ("USD", "USD")]


class PriceSegment(models.TextChoices):
    # The segment sets the expected purchase cycle (METHOD M8): impulse buys only at low prices.
    LOW = "low", _("Low (impulse purchases)")
    MID = "mid", _("Mid (sells over weeks to months)")
    HIGH = "high", _("High (sells 3–6 months after first contact)")


class SalesModel(models.TextChoices):
    DIRECT = "direct", _("Direct sales")
    LOYALTY = "loyalty", _("Brand loyalty")


class Direction(models.TextChoices):
    TALK_ABOUT_PRODUCTS = "talk_about_products", _("Talk about products and services")
    FEEDBACK = "feedback", _("Collect feedback and work with negativity")
    TRAFFIC = "traffic", _("Drive traffic to the site")
    BRAND_AWARENESS = "brand_awareness", _("Raise brand awareness")
    SALES = "sales", _("Sell")
    INFORM_CUSTOMERS = "inform_customers", _("Inform customers")
    RECRUIT_AUDIENCE = "recruit_audience", _("Recruit an audience to work with later")
    HIRE_STAFF = "hire_staff", _("Hire staff")
    OPERATIONS = "operations", _("Operations (the team's own work)")


assert set(Direction.values) == set(RESULTS_BY_DIRECTION), "directions drifted from smart.py"


class Project(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(_("name"), max_length=120)
    topic = models.CharField(_("topic / industry"), max_length=120, blank=True)
    offer = models.TextField(_("what is sold"), blank=True)
    average_bill = models.DecimalField(
        _("average bill"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="RUB")
    price_segment = models.CharField(
        _("price segment"), max_length=8, choices=PriceSegment.choices, default=PriceSegment.MID
    )
    sales_model = models.CharField(
        _("direct sales or loyalty"),
        max_length=10,
        choices=SalesModel.choices,
        default=SalesModel.DIRECT,
    )
    geography = models.CharField(_("target geography"), max_length=200, blank=True)
    countries = models.CharField(
        _("countries (ISO codes, comma-separated)"), max_length=100, blank=True
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    missed_window_hours = models.PositiveIntegerField(
        _("missed window, hours"),
        default=48,
        help_text=_("A post not sent this long after its time is marked missed, not sent stale."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def country_codes(self) -> tuple[str, ...]:
        return tuple(c.strip().upper() for c in self.countries.split(",") if c.strip())


class CanvasVersion(models.Model):
    """One saved version of the strategy canvas (METHOD M2 five questions, M6, M1 tasks).

    Versions are never edited: saving makes a new one, so a manager can compare any two.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="canvas_versions")
    number = models.PositiveIntegerField()
    to_whom = models.TextField(_("To whom do we sell?"), blank=True)
    what_result = models.TextField(
        _("What do we sell — which result (beauty, health, strength), not which product?"),
        blank=True,
    )
    how_to_sell = models.TextField(_("How do we sell effectively?"), blank=True)
    when_where = models.TextField(
        _("When and where do we promote (before holidays? at what hour?)"), blank=True
    )
    product_properties = models.TextField(
        _("Which product properties to develop (packaging, extras, instructions)?"), blank=True
    )
    positioning = models.TextField(_("Positioning statement"), blank=True)
    tasks = models.JSONField(_("tasks chosen (M1)"), default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    FIELDS = [
        "to_whom",
        "what_result",
        "how_to_sell",
        "when_where",
        "product_properties",
        "positioning",
        "tasks",
    ]

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="one_canvas_version_number")
        ]


class Portrait(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="portraits")
    name = models.CharField(_("name"), max_length=120)
    is_primary = models.BooleanField(_("primary portrait"), default=False)
    age_min = models.PositiveSmallIntegerField(_("age from"), default=18)
    age_max = models.PositiveSmallIntegerField(_("age to"), default=65)
    share_female = models.PositiveSmallIntegerField(
        _("women, %"), default=50, help_text=_("Share of women in this portrait; the rest are men.")
    )
    countries = models.CharField(_("countries (ISO codes)"), max_length=100, blank=True)
    cities = models.CharField(_("cities"), max_length=300, blank=True)
    city_size = models.CharField(_("city size"), max_length=20, blank=True)
    devices = models.JSONField(_("devices"), default=list, blank=True)
    income = models.CharField(_("income level"), max_length=20, blank=True)
    interests = models.TextField(_("interests (comma-separated)"), blank=True)
    life_situation = models.TextField(_("life situation"), blank=True)
    objections = models.TextField(_("objections"), blank=True)
    buying_behaviour = models.CharField(_("buying behaviour"), max_length=20, blank=True)
    preferred_formats = models.JSONField(_("preferred content formats"), default=list, blank=True)
    market = models.CharField(_("B2B or B2C"), max_length=4, default="b2c")

    class Meta:
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class CatalogueOverride(models.Model):
    """A workspace's own figure for one catalogue field, shown as an override."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="catalogue_overrides"
    )
    network = models.CharField(max_length=32)
    field_path = models.CharField(max_length=100)
    value = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "field_path"], name="one_override_per_figure"
            )
        ]


class Goal(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("title"), max_length=200)
    direction = models.CharField(_("direction"), max_length=32, choices=Direction.choices)
    metric = models.CharField(
        _("result metric"), max_length=32, choices=[(k, v.label) for k, v in KPIS.items()]
    )
    scope = models.CharField(_("scope"), max_length=10, default="project")
    network = models.CharField(_("network"), max_length=32, blank=True)
    channel = models.CharField(_("channel"), max_length=120, blank=True)
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.FloatField(_("target"), null=True, blank=True)
    target_kind = models.CharField(_("target kind"), max_length=16, default="absolute")
    floor_value = models.FloatField(_("not less than"), null=True, blank=True)
    floor_kind = models.CharField(_("floor kind"), max_length=16, default="absolute")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    for_whom = models.CharField(_("for whom"), max_length=200, blank=True)
    constraints = models.JSONField(_("constraints"), default=list, blank=True)
    business_value = models.TextField(_("business value"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "title"]

    def __str__(self) -> str:
        return self.title


class GoalMeasurement(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by hand")
        API = "api", _("API")
        CSV = "csv", _("CSV import")
        KPI = "kpi", _("KPI engine")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measurements")
    measured_at = models.DateTimeField(_("measured at"))
    value = models.FloatField(_("value"))
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["measured_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "measured_at"], name="one_measurement_per_instant"
            )
        ]


class Community(models.Model):
    """A community in the plan (METHOD M10): the core project or a feeder that channels to it."""

    class Role(models.TextChoices):
        CORE = "core", _("Core (the niche project)")
        FEEDER = "feeder", _("Feeder (broad, cheaper to grow)")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="communities")
    network = models.CharField(_("network"), max_length=32)
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    feeds = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fed_by",
        verbose_name=_("channels members to"),
    )
    audience_size = models.PositiveIntegerField(_("audience size"), null=True, blank=True)
    cost_per_member = models.DecimalField(
        _("cost per new member"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rationale = models.TextField(_("cost rationale"), blank=True)

    class Meta:
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"

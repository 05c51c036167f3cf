from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "hearth.metrics"
    label = "metrics"
    verbose_name = "Metrics"

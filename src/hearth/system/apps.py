from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "hearth.system"
    verbose_name = "System"

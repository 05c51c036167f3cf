from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "hearth.links"
    verbose_name = "Links"

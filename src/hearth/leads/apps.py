from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "hearth.leads"
    verbose_name = "Leads"

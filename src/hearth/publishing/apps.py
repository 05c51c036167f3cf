from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "hearth.publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from hearth.publishing import health
        from hearth.system.health import EXTRA_PROBES

        if health.publishing_probe not in EXTRA_PROBES:
            EXTRA_PROBES.append(health.publishing_probe)

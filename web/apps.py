from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Weboberfläche"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .second_factor import second_factor_noted

        user_logged_in.connect(second_factor_noted, dispatch_uid="web-second-factor")

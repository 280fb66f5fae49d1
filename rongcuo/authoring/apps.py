from django.apps import AppConfig


class AuthoringConfig(AppConfig):
    name = "rongcuo.authoring"
    label = "authoring"
    verbose_name = "规则起草"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "rongcuo.disclosure"
    label = "disclosure"
    verbose_name = "公开与典型案例"

    def ready(self) -> None:
        from rongcuo.cases import actions

        from .hooks import on_decision

        if on_decision not in actions.DECISION_HOOKS:
            actions.DECISION_HOOKS.append(on_decision)

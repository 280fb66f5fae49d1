from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "rongcuo.outcomes"
    label = "outcomes"
    verbose_name = "结果运用、纠错整改与澄清正名"

    def ready(self) -> None:
        from rongcuo.cases import actions

        from .records import record_result_use

        if record_result_use not in actions.DECISION_HOOKS:
            actions.DECISION_HOOKS.append(record_result_use)

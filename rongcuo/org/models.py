"""Jurisdictions (GB/T 2260 tree), units, cadres and accountability matters 「问责事项」."""

from __future__ import annotations

from django.db import models

from rongcuo.core import crypto


class Jurisdiction(models.Model):
    LEVELS = [("central", "中央"), ("province", "省级"), ("city", "市级"), ("county", "县级")]

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=64)
    level = models.CharField(max_length=16, choices=LEVELS)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Materialised path of codes from the root, e.g. "000000/320000/320100/": a subtree is a prefix match.
    path = models.CharField(max_length=200, db_index=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def chain(self) -> list[Jurisdiction]:
        """This jurisdiction and its parents, most local first (county → city → province → 中央)."""
        codes = [c for c in self.path.split("/") if c]
        found = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
        return [found[c] for c in reversed(codes) if c in found]


class Unit(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=128)
    code = models.CharField(max_length=32, blank=True, help_text="统一社会信用代码或内部编码")
    path = models.CharField(max_length=255, db_index=True, default="")

    class Meta:
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "parent", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class Cadre(models.Model):
    name = models.CharField(max_length=64)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cadres")
    position = models.CharField(max_length=128, blank=True)
    rank = models.CharField(max_length=64, blank=True)
    party_member = models.BooleanField(default=True)
    id_number_enc = models.TextField(blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_enc = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        self.id_number_enc = crypto.encrypt(value)
        self.id_number_index = crypto.blind_index(value)

    def set_phone(self, value: str) -> None:
        self.phone_enc = crypto.encrypt(value)

    @property
    def id_number_masked(self) -> str:
        return crypto.mask_id_number(crypto.decrypt(self.id_number_enc))

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(crypto.decrypt(self.phone_enc))


class AccountabilityMatter(models.Model):
    """问责事项: the accountability proceedings a tolerance review may accompany."""

    SUBJECTS = [("cadre", "干部"), ("unit", "单位")]
    STATUSES = [("open", "办理中"), ("decided", "已决定"), ("closed", "已办结")]

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="matters")
    subject_type = models.CharField(max_length=8, choices=SUBJECTS)
    cadre = models.ForeignKey(Cadre, null=True, blank=True, on_delete=models.PROTECT, related_name="matters")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="matters")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    initiating_organ = models.CharField(max_length=128)
    conduct_date = models.DateField(null=True, blank=True)
    started_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=STATUSES, default="open")
    domain = models.CharField(max_length=32, blank=True, help_text="领域标签，如 征地拆迁、招商引资")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

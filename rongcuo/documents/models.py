"""Official documents 「公文文书」 generated from cases, their numbering and per-jurisdiction templates.

- `IssuingBody` 「发文机关」: an organ of a jurisdiction with its 机关代字 (e.g. 苏纪) and its red mark.
- `DocumentNumberCounter`: per body, series (发/函) and year, the last 发文顺序号 issued. It is locked while a
  document is issued and incremented in the same transaction as the document row, so a number is consumed
  only when the document commits: no gaps, no reuse.
- `Document`: one generated document; the DOCX lives outside any served folder (`storage.py`), its SHA-256
  and SM3 are kept here, the PDF rendition's status beside it, and a decision's signature.
- `Template`: a jurisdiction's docxtpl template for one kind, validated on upload (only known fields).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IssuingBody(models.Model):
    KINDS = [("discipline", "纪检监察机关"), ("organisation", "组织（人事）部门")]

    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="issuing_bodies")
    kind = models.CharField(max_length=16, choices=KINDS, default="discipline")
    name = models.CharField(max_length=128, help_text="发文机关全称（署名），如 中共江苏省纪律检查委员会")
    mark = models.CharField(max_length=64, help_text="发文机关标志（红色版头），如 中共江苏省纪律检查委员会文件")
    code = models.CharField(max_length=16, help_text="机关代字，如 苏纪")
    signer = models.CharField(max_length=32, blank=True, help_text="上行文的签发人")
    cc = models.CharField(max_length=300, blank=True, help_text="默认抄送机关，以顿号分隔")
    printer = models.CharField(max_length=128, blank=True, help_text="印发机关（版记），默认为办公厅（室）")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["jurisdiction_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "kind"], condition=models.Q(active=True), name="one_active_body_per_kind"
            ),
            models.UniqueConstraint(fields=["code"], condition=models.Q(active=True), name="issuing_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class DocumentNumberCounter(models.Model):
    body = models.ForeignKey(IssuingBody, on_delete=models.PROTECT, related_name="counters")
    series = models.CharField(max_length=4, default="发", help_text="类型代字：发、函")
    year = models.IntegerField()
    last = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "series", "year"], name="doc_counter_unique")]


class PdfStatus(models.TextChoices):
    PENDING = "pending", "转换中"
    DONE = "done", "已生成"
    FAILED = "failed", "转换失败"
    UNAVAILABLE = "unavailable", "本机未安装 LibreOffice"


class Document(models.Model):
    kind = models.CharField(max_length=32, db_index=True)
    title = models.CharField(max_length=300)
    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    pre_filing = models.ForeignKey(
        "cases.PreFiling", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    clarification = models.ForeignKey(
        "outcomes.Clarification", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    body = models.ForeignKey(IssuingBody, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    series = models.CharField(max_length=4, blank=True)
    year = models.IntegerField(null=True, blank=True)
    seq = models.IntegerField(null=True, blank=True, help_text="发文顺序号")
    number = models.CharField(max_length=64, blank=True, db_index=True, help_text="发文字号；申请书等无")
    template = models.ForeignKey("Template", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    storage_name = models.CharField(max_length=64, unique=True)
    size = models.IntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    sm3 = models.CharField(max_length=64)
    pdf_status = models.CharField(max_length=16, choices=PdfStatus.choices, default=PdfStatus.PENDING)
    pdf_storage_name = models.CharField(max_length=64, blank=True)
    pdf_pages = models.IntegerField(null=True, blank=True)
    pdf_error = models.CharField(max_length=300, blank=True)
    signature = models.JSONField(null=True, blank=True, help_text="签名元数据（算法、公钥指纹、签名值）")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "series", "year", "seq"],
                condition=models.Q(seq__isnull=False),
                name="document_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.kind} {self.title}"


class Template(models.Model):
    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    filename = models.CharField(max_length=200)
    docx = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    fields = models.JSONField(default=list, help_text="模板使用的字段")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "kind"], condition=models.Q(active=True), name="one_active_template"
            ),
        ]

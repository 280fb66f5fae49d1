"""draft_from_text: the text of a measure → its articles, what each part is, and proposed rule nodes.

Everything here is a proposal for a person to confirm or edit in the workbench; nothing is adopted by itself.
The result is deterministic: the same text and catalog give the same proposal, byte for byte in to_dict().
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..catalog import Catalog, catalog
from ..errors import PolicyError
from . import numerals
from .parts import RULE_GROUPS, Part, classify_all
from .rules import procedure, result_use
from .split import Document, Piece, split
from .suggest import NodeProposal, node_id, propose_node

FORMAT = "rongcuo.draft-proposal/1"
MAX_CHARS = 1_000_000  # a measure is a few thousand characters; a million is a pasted book, not a measure


@dataclass
class Proposal:
    document: Document
    parts: dict[str, Part]
    nodes: list[NodeProposal]
    procedure: dict[str, Any]
    result_use: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    @property
    def articles(self) -> list[Piece]:
        return self.document.articles

    def group(self, name: str) -> list[NodeProposal]:
        return [n for n in self.nodes if n.group == name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **self.document.to_dict(),
            "parts": [p.to_dict() for p in self.parts.values()],
            "nodes": {g: [n.to_dict() for n in self.group(g)] for g in RULE_GROUPS},
            "procedure": self.procedure,
            "result_use": self.result_use,
            "warnings": self.warnings,
        }


def _ref_numbers(doc: Document, art_index: int, piece: Piece) -> list[int]:
    """The numbers in a ref, for node ids: 第十七条第一款第（一）项 → [17, 1, 1]; a heading section by its place."""
    art = doc.articles[art_index]
    first = art.number if art.number is not None else art_index + 1
    nums = [first]
    for m in re.finditer(r"第([^条款项目]+?)[款项目]|（([^）]+)）", piece.ref[len(art.ref) :]):
        raw = (m.group(1) or m.group(2) or "").strip("（）")
        n = numerals.parse(raw)
        if n is not None:
            nums.append(n)
    return nums


def _rule_pieces(art: Piece, parts: dict[str, Part]) -> list[tuple[Piece, str]]:
    """The pieces that become nodes: each item of a rule list (its sub-items if it has them), else the paragraph."""
    out: list[tuple[Piece, str]] = []
    for para in art.children:
        p_part = parts.get(para.ref) or parts[art.ref]
        if para.children:
            for item in para.children:
                leaves = item.children or [item]
                for leaf in leaves:
                    part = parts.get(leaf.ref) or parts.get(item.ref) or p_part
                    if part.part in RULE_GROUPS:
                        out.append((leaf, part.part))
        elif p_part.part in RULE_GROUPS and p_part.confidence >= 0.2:
            out.append((para, p_part.part))
    return out


def draft_from_text(text: str, cat: Catalog | None = None, *, kind: str | None = None) -> Proposal:
    """Split, classify and propose. `kind` overrides the ref prefix (办法/意见 …) read from the title."""
    if not isinstance(text, str):
        raise PolicyError("正文应为文本", field="text")
    if len(text) > MAX_CHARS:
        raise PolicyError(f"正文过长（{len(text):,} 字），上限 {MAX_CHARS:,} 字", field="text")
    cat = cat or catalog()
    doc = split(text, kind)
    parts = classify_all(doc.articles)
    nodes: list[NodeProposal] = []
    taken: set[str] = set()
    for i, art in enumerate(doc.articles):
        for piece, group in _rule_pieces(art, parts):
            body = piece.text.strip()
            if not body:
                continue
            prop = propose_node(body, piece.ref, group, "", cat)
            prop.node["id"] = node_id(group, _ref_numbers(doc, i, piece), prop.node["when"], taken)
            part = parts.get(piece.ref)
            if part:
                prop.reason = [f"条文类别：{part.label}（{'、'.join(part.cues) or '上级条款'}）", *prop.reason]
            nodes.append(prop)
    flat = [(p, parts[p.ref]) for p in doc.pieces() if p.ref in parts]
    warnings: list[str] = []
    if not doc.articles:
        warnings.append("未能识别出任何条款：请检查文本是否为办法或意见的正文")
    if doc.articles and not nodes:
        warnings.append("未识别出容错条件、容错情形、不予容错或从轻减轻条款，请手工标注")
    paras = _paragraphs(flat)
    return Proposal(doc, parts, nodes, procedure(paras), result_use(paras, set()), warnings)


def _paragraphs(flat: list[tuple[Piece, Part]]) -> list[tuple[Piece, Part]]:
    """Each paragraph once (an article without a body as itself): procedure and result use read whole paragraphs."""
    return [(p, part) for p, part in flat if p.kind == "paragraph" or (p.kind == "article" and not p.children)]

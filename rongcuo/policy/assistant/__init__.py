"""The draft-from-text assistant: a measure's official text → articles, parts and proposed rule nodes.

Pure library (no Django): sources.py reads .txt/.docx uploads, split.py finds 条/款/项, parts.py says what each
is, suggest.py ranks catalog facts and proposes nodes, rules.py proposes procedure and result use, draft.py ties
them together. Every proposal is for a person to confirm: nothing here writes a rule file.
"""

from .draft import FORMAT, Proposal, draft_from_text
from .sources import SourceError, read_source
from .split import Document, Piece, split
from .suggest import Suggestion, clauses, rank

__all__ = [
    "FORMAT",
    "Document",
    "Piece",
    "Proposal",
    "SourceError",
    "Suggestion",
    "clauses",
    "draft_from_text",
    "rank",
    "read_source",
    "split",
]

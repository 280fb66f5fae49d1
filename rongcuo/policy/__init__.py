"""The pure policy library: rule files, three-valued evaluation, explanations, decisive facts,
comparison, diff and vectorised simulation. It must never import Django."""

from .errors import PolicyError, PolicyErrors
from .evaluate import Result, evaluate
from .loader import Library, load_policy_file
from .model import Policy, PolicyVersion

__all__ = [
    "Library",
    "Policy",
    "PolicyError",
    "PolicyErrors",
    "PolicyVersion",
    "Result",
    "evaluate",
    "load_policy_file",
]

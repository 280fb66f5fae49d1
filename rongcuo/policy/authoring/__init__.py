"""The drafting workbench's pure half: build and edit a rule document (the dict of a whole rule file) and its
tests document without writing YAML, keep a derived draft as an overlay on its parent version, and analyse a
draft (load errors, checks, solver findings, tests, exact comparisons). Never imports Django: the web app
(rongcuo/authoring/) calls these functions.

Every edit verb is pure (returns a new dict, never mutates its argument) and raises EditError naming the
field, in Chinese, for bad input.
"""

from .analysis import Analysis, analyse, local_fact_warnings
from .common import GROUP_LABELS, GROUPS, EditError
from .document import blank_document, derived_document, head_of, revision_document
from .edit import (
    put_article,
    put_fact,
    put_procedure_step,
    put_reading,
    put_result_use,
    remove_article,
    remove_fact,
    remove_procedure_step,
    remove_reading,
    remove_result_use,
    set_base,
    set_meta,
    set_open_situations,
    set_otherwise,
    set_procedure_part,
)
from .exprtree import expr_sentence, expr_to_tree, fact_choices, tree_to_expr
from .nodes import put_node, remove_node
from .overlay import apply_overlay, describe_overlay, overlay, rebase, review_parent_change
from .tests_table import put_test, remove_test, rename_fact_in_tests
from .yamlio import from_yaml, tests_from_yaml, tests_to_yaml, to_yaml

__all__ = [
    "GROUPS",
    "GROUP_LABELS",
    "Analysis",
    "EditError",
    "analyse",
    "apply_overlay",
    "blank_document",
    "derived_document",
    "describe_overlay",
    "expr_sentence",
    "expr_to_tree",
    "fact_choices",
    "from_yaml",
    "head_of",
    "local_fact_warnings",
    "overlay",
    "put_article",
    "put_fact",
    "put_node",
    "put_procedure_step",
    "put_reading",
    "put_result_use",
    "put_test",
    "rebase",
    "remove_article",
    "remove_fact",
    "remove_node",
    "remove_procedure_step",
    "remove_reading",
    "remove_result_use",
    "remove_test",
    "rename_fact_in_tests",
    "review_parent_change",
    "revision_document",
    "set_base",
    "set_meta",
    "set_open_situations",
    "set_otherwise",
    "set_procedure_part",
    "tests_from_yaml",
    "tests_to_yaml",
    "to_yaml",
    "tree_to_expr",
]

"""规则起草: the drafting workbench's Django half. A 规则起草人 builds a measure (blank, derived from another
place's, or a new version of the place's own) through the pure verbs of rongcuo.policy.authoring, and sends
it to 意见征集 (rongcuo.consultation), whose flow then runs unchanged up to adoption by the 决策秘书."""

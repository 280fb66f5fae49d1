"""Statistics keep no tables of their own: every figure is a grouped query over cases (see queries.py)."""

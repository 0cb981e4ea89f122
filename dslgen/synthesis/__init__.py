"""Synthesis: tasks and tools proposed by templates, a model or an import, each admitted only
after it runs on the seed database (the paper proposes them; dslgen also checks them).

Reads only what a Plan carries (compiled tools, the database, tasks, models); every
rejected proposal is kept with a reason code from `reasons.py`.
"""

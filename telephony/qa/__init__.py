"""Quality: the QA console (search, review, scorecards, labels, export) and KPIs
(docs/qa.md, docs/kpi.md).
"""

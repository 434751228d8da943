"""Reporters' drafts through the editors' review: decisions.py (submit, approve, send back,
each logged as a ReviewStep) and notifications.py (the editors' email and its task)."""

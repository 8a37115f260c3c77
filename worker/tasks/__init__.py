"""Thin Celery tasks by domain: take ids, load, check state, call one service, commit once."""

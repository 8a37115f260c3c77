"""Celery worker: the app bound to Flask (``celery_app``), thin tasks and the beat schedule."""

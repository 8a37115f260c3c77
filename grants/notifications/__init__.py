"""Notifications: outbox rows written with each change, delivered after commit (email, in-app)."""

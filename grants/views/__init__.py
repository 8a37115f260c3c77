"""Blueprints by audience."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from grants.views import auth, auth_invitation, instruction, promoter, public  # noqa: F401

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(promoter.bp)
    app.register_blueprint(instruction.bp)
    from grants.views import admin, committee

    app.register_blueprint(committee.bp)

    app.register_blueprint(admin.bp)
    from grants.views import monitoring, reporting

    app.register_blueprint(monitoring.bp)
    app.register_blueprint(reporting.bp)
    from grants.views import payments

    app.register_blueprint(payments.bp)
    from grants.views import agreements

    app.register_blueprint(agreements.bp)
    from grants.views import notifications

    notifications.init_app(app)

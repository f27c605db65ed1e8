"""Shared settings: production makes every cookie Secure, the language cookie included."""

from __future__ import annotations

import environ

from paylib import django_conf


def test_production_makes_the_language_cookie_secure_too() -> None:
    security = django_conf.production_security(environ.Env())
    assert security["LANGUAGE_COOKIE_SECURE"] is True
    assert security["SESSION_COOKIE_SECURE"] is True
    assert security["CSRF_COOKIE_SECURE"] is True


def test_the_policy_allows_no_inline_code() -> None:
    directives = django_conf.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "csp.middleware.CSPMiddleware" in django_conf.MIDDLEWARE

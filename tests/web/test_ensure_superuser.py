"""`make run` calls ensure_superuser: idempotent, and it never waits for input."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run(monkeypatch, **env) -> str:
    for name in ("USERNAME", "PASSWORD", "EMAIL"):
        monkeypatch.delenv(f"DJANGO_SUPERUSER_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"DJANGO_SUPERUSER_{name.upper()}", value)
    # No stdin at all, as in CI: reading it would fail the test.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out = io.StringIO()
    call_command("ensure_superuser", stdout=out)
    return out.getvalue()


def test_without_variables_it_explains_how_to_get_in(monkeypatch):
    output = run(monkeypatch)

    assert "createsuperuser" in output
    assert "DJANGO_SUPERUSER_USERNAME" in output
    assert not get_user_model().objects.exists()


def test_it_creates_the_superuser_once(monkeypatch):
    env = {"username": "admin", "password": "s3cret-pass", "email": "admin@example.com"}

    first = run(monkeypatch, **env)
    second = run(monkeypatch, **env)

    user = get_user_model().objects.get()
    assert (user.username, user.email, user.is_staff, user.is_superuser) == (
        "admin",
        "admin@example.com",
        True,
        True,
    )
    assert user.check_password("s3cret-pass")
    assert "created" in first
    assert "already exists" in second


def test_an_existing_account_is_promoted_keeping_its_password(monkeypatch, alice):
    output = run(monkeypatch, username="alice", password="other-password")

    alice.refresh_from_db()
    assert alice.is_superuser and alice.is_staff
    assert alice.check_password("pw-alice-123")
    assert "now a superuser" in output

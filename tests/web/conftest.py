"""Fixtures for the Django tests: users, logged-in clients, a fresh media folder per test and
a way to run the upload -> jobs -> recorder chain to the end.

The inline runner runs the jobs in the calling thread here (PHOTOS_INLINE_WORKERS=0), right
after the upload's transaction commits; `run_jobs` makes those commit callbacks fire inside
the test's own transaction. Tests that exercise the real thread pool opt out with the
`threaded_jobs` fixture (and a transactional database).
"""

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from django.test import Client
from django.urls import set_script_prefix
from factories import UserFactory  # tests/web on sys.path
from web_helpers import CONTENT_TYPES, post_file, request_ticket

from webapp.photos import runners


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """A test database of this run's own: helpers and CI may run suites side by side.

    SQLite gets a file rather than the in-memory default: the inline runner's threads need
    their own connections, and shared-cache memory databases lock whole tables instead of
    waiting like the file database (WAL, IMMEDIATE transactions) the app really uses.
    """
    from django.conf import settings

    test = settings.DATABASES["default"].setdefault("TEST", {})
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        test["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    else:
        test["NAME"] = f"test_{settings.DATABASES['default']['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def _fresh_script_prefix():
    # A request handled through a real WSGI handler (the Lambda adapter's tests) sets the
    # thread's script prefix ("/web" behind an API Gateway stage); reverse() in later tests
    # must not inherit it.
    set_script_prefix("/")
    yield
    set_script_prefix("/")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.PHOTOS_INLINE_WORKERS = 0
    settings.PHOTOS_JOB_RUNNER = "inline"
    # No periodic sweep thread behind the tests' backs (test_upload_recovery.py drives it).
    settings.PHOTOS_SWEEP_SECONDS = 0
    # Real hashing costs half a second per user on a small machine; tests need none of it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return root


@pytest.fixture
def threaded_jobs(settings):
    settings.PHOTOS_INLINE_WORKERS = 2
    yield
    assert runners.wait_idle(timeout=60), "inline jobs still running after 60 s"


# `db`, as pytest-django's django_user_model fixture did: a user fixture opens the database.
@pytest.fixture
def alice(db):
    return UserFactory(username="alice", password="pw-alice-123")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", password="pw-bob-123")


@pytest.fixture
def staff(db):
    return UserFactory(username="root", password="pw-root-123", is_staff=True, is_superuser=True)


def _client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return _client_for(bob)


@pytest.fixture
def staff_client(staff) -> Client:
    return _client_for(staff)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): ...` runs, at the end of the block, the jobs the block dispatched."""

    @contextlib.contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return run


@pytest.fixture
def upload(run_jobs, photos_dir):
    """upload(client, "hopper.jpg") -> photo id: ticket, file, jobs, as the page does it."""

    def do(client, name: str, *, content_type: str | None = None, path: Path | None = None):
        path = path or photos_dir / name
        content_type = content_type or CONTENT_TYPES[path.suffix.lower()]
        response = request_ticket(
            client, filename=name, content_type=content_type, size=path.stat().st_size
        )
        assert response.status_code == 201, response.content
        ticket = response.json()
        with run_jobs():
            response = post_file(client, ticket, path)
        assert response.status_code == 204, response.content
        return ticket["photo_id"]

    return do


@pytest.fixture
def copy_photo(photos_dir, tmp_path):
    """A test photo copied under another name (or with its bytes changed)."""

    def do(name: str, new_name: str, *, append: bytes = b"") -> Path:
        target = tmp_path / new_name
        shutil.copyfile(photos_dir / name, target)
        if append:
            with open(target, "ab") as out:
                out.write(append)
        return target

    return do


# The browser tests' (`-m browser`) Chromium: one per module, a fresh context per page.
@pytest.fixture(scope="module")
def browser():
    # Imported here: Playwright is needed by the browser tests only.
    from browser_support import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def page_errors() -> list[str]:
    """JavaScript errors seen by any page of the test (browser_support.new_page): there must
    be none."""
    return []

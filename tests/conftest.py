"""Settings for the whole suite, applied once before any test runs."""

import atexit
import shutil
import tempfile
from pathlib import Path


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    # Production serves collected, hashed static files; tests render pages without a collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    # Password hashing dominates test setup time; the hasher's strength is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded files (application documents) go to a folder of this run, removed at the end, never to var/.
    media = Path(tempfile.mkdtemp(prefix="mobilitas-test-media-"))
    settings.MEDIA_ROOT = media
    atexit.register(shutil.rmtree, media, ignore_errors=True)


def pytest_collection_modifyitems(items) -> None:  # type: ignore[no-untyped-def]
    # The longest tests first: with `-n 2` each starts at once on a worker instead of ending the run alone.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)

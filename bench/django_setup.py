"""What every benchmark does first: find the project, configure Django, and roll back what it made.

The scripts run as `python bench/<name>.py`, so this folder is on sys.path and they `import django_setup`.
"""

import logging
import os
import secrets
import sys
from pathlib import Path


def setup_django(*, pages: bool = False) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobilitas.settings")
    if not os.environ.get("SECRET_KEY") and os.environ.get("DEBUG", "0") in ("", "0"):
        # Sessions made here are rolled back with everything else: a random key for this run is enough.
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    import django
    from django.conf import settings

    django.setup()
    if pages:
        # The test Client speaks as "testserver"; pages must render without a collectstatic manifest.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        settings.WHITENOISE_AUTOREFRESH = True
        # Queries with a bad parameter answer 400 on purpose: keep Django's request log quiet about them.
        logging.getLogger("django.request").setLevel(logging.ERROR)


class Rollback(Exception):
    """Raised at the end of a benchmark's transaction so that the database is left as it was."""

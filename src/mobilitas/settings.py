"""Mobilitas settings: one module, every value from an environment variable with a safe default.

Run with zero configuration for development (SQLite under var/, console e-mail). In production set at
least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL). DEBUG is off unless asked for.
"""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mobilitas.lib.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
_checkout = PACKAGE_DIR.parents[1]
# A source checkout keeps its state in ./var; an installed package uses the working directory's var/.
_default_var = _checkout / "var" if (_checkout / "pyproject.toml").exists() else Path.cwd() / "var"
VAR_DIR = Path(env_str("MOBILITAS_VAR_DIR", str(_default_var)))

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for a local key generated in var/)."
        )
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "mobilitas.admin_site.MobilitasAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "mobilitas.institutions",
    "mobilitas.accounts",
    "mobilitas.audit",
    "mobilitas.agreements",
    "mobilitas.applications",
    "mobilitas.mobilities",
    "mobilitas.catalogue",
    "mobilitas.home",
    "mobilitas.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mobilitas.accounts.middleware.TimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mobilitas.institutions.middleware.InstitutionMiddleware",
    "mobilitas.lib.errors.DomainErrorMiddleware",
    "mobilitas.api.problems.MethodNotAllowedMiddleware",
]

ROOT_URLCONF = "mobilitas.urls"
WSGI_APPLICATION = "mobilitas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mobilitas.institutions.context_processors.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL (postgres://user@host:5432/name in production); SQLite under var/ by default.
_sqlite_path = VAR_DIR / "mobilitas.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{_sqlite_path}"), conn_max_age=env_int("CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] == str(_sqlite_path):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets pages read while the worker writes; IMMEDIATE avoids lock upgrades failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts-login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts-login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Where the site is reached from outside: links in e-mails sent by background tasks start with it.
SITE_URL = env_str("MOBILITAS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Uploaded files live outside the web root: only access-checked views serve them.
MEDIA_ROOT = Path(env_str("MOBILITAS_MEDIA_DIR", str(VAR_DIR / "media")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail: Django's console backend unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mobilitas <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: django-tasks with its database backend; `mobilitas db_worker` runs the queue.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# EWP: where the official schemas live (tests validate every XML we emit against them).
MOBILITAS_EWP_SCHEMAS = env_str("MOBILITAS_EWP_SCHEMAS", str(_checkout.parent / "shared" / "ewp"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Course matching (catalogue/matching/service.py). "auto": the multilingual model ranks too, for a target
# institution whose course embeddings are all cached (`mobilitas catalogue-embeddings`, or the background task
# the matching page enqueues), words, credits, level and field alone until then; "off": never the model.
MOBILITAS_MATCHING_EMBEDDINGS = env_str("MOBILITAS_MATCHING_EMBEDDINGS", "auto")
if MOBILITAS_MATCHING_EMBEDDINGS not in ("auto", "off"):
    raise ImproperlyConfigured(
        f"MOBILITAS_MATCHING_EMBEDDINGS must be auto or off, got {MOBILITAS_MATCHING_EMBEDDINGS!r}"
    )
# The embedding cache (an SQLite file of vectors): the variable matching/embeddings.py reads outside Django,
# anchored here to var/ rather than to the working directory.
MOBILITAS_EMBEDDING_CACHE = env_str("MOBILITAS_EMBEDDING_CACHE", str(VAR_DIR / "embeddings.sqlite3"))

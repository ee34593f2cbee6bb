"""One settings module for every environment, driven by environment variables.

Nothing is set only in production: a newcomer gets SQLite under var/ and DEBUG on;
a deployment sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean (use 1 or 0)."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-never-used-with-debug-off"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    # The engine before the domains whose migrations build on it.
    "monographs.publishing",
    "monographs.editorial",
    "monographs",
    "trials",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "monographs.api",
    "monographs.search",
    "monographs.site",
    "monographs.importing",
    "monographs.seeding",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # Above the response cache, so a cached answer gets the reader's own counts.
    "monographs.api.http.RateLimitHeadersMiddleware",
    # An entry page or API detail for an anonymous reader: its stored render, one indexed
    # read, and no middleware below this. Above the response cache, whose lookup costs as
    # much as that read and would only add a round trip when it misses.
    "monographs.site.middleware.StoredPageMiddleware",
    # A cache hit returns from here: the headers of the middleware above (security, CSP) are
    # added to every response, those of the middleware below (CORS, frame options) are
    # stored with it. Sessions, CSRF and messages below mark what must not be stored.
    "monographs.publishing.cache.PublishedResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.routers.PublicReadRoutingMiddleware",
]

# The load-test app and its endpoints exist only under config.settings_bench.
ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "db.sqlite3"
# A psycopg prepare threshold no statement reaches by repetition: only an explicit
# `prepare=True` prepares.
EXPLICIT_PREPARE_ONLY = 2**31 - 1
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down must fail fast (a 503 within a second), not hang the request;
    # libpq waits at least 2 s for a host that does not answer, a refused port fails at once.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2"))
    )
    # A database that accepts connections but cannot serve (a table lock held, a runaway
    # query) must not hold a request until gunicorn kills the worker: every statement is
    # cancelled after DATABASE_STATEMENT_TIMEOUT seconds, and the request answers 503.
    # Sent with the connection (libpq options), so it costs no query. 0 switches it off;
    # manage.py does so for commands (migrate, load_seeds, rebuild_read_tables) by default.
    DATABASE_STATEMENT_TIMEOUT = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "5"))
    if DATABASE_STATEMENT_TIMEOUT < 0:
        raise ImproperlyConfigured("DATABASE_STATEMENT_TIMEOUT is seconds, 0 or more.")
    # Statements are prepared only where a read asks for it (the stored page read every entry
    # page makes, planned once per connection instead of on every request); psycopg would
    # otherwise prepare any statement run five times, which Django turns off for connection
    # poolers. A pooler that cannot keep prepared statements (PgBouncer in transaction mode
    # before 1.21) needs DATABASE_PREPARED_STATEMENTS=0.
    DATABASES["default"]["OPTIONS"].setdefault(
        "prepare_threshold",
        EXPLICIT_PREPARE_ONLY if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None,
    )
    _timeout_option = f"-c statement_timeout={round(DATABASE_STATEMENT_TIMEOUT * 1000)}"
    _options = DATABASES["default"]["OPTIONS"].get("options", "")
    if "statement_timeout" not in _options:
        DATABASES["default"]["OPTIONS"]["options"] = f"{_options} {_timeout_option}".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, stamping publish and withdrawal times at commit as PostgreSQL does.
    DATABASES["default"]["ENGINE"] = "monographs.publishing.sqlite_backend"
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # In memory unless named (":memory:" spelled out: pytest-django keeps it for each worker).
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_NAME") or ":memory:"}

# Read replicas (PostgreSQL streaming replicas of DATABASE_URL): public reads go to them, see
# config/routers.py. Under test a replica mirrors the test database of the primary.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
if DATABASE_REPLICA_URLS and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs DATABASE_URL to be PostgreSQL.")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files from any app server. With DEBUG off they come from
# collectstatic's output, compressed and with content-hashed names; with DEBUG on (and so in
# the tests) straight from the source folders, with no collectstatic needed.
# Files the site writes itself: the bulk download's parts (monographs/api/exports/bulk.py).
# A deployment may name STORAGES["bulk"] (an object store) for them instead.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
# The bulk download is built by `build_bulk` after publishing; when the newest is older than
# the public record, /api/v1/bulk/ builds one on the request that finds it so (one at a time)
# unless this is off, and serves the newest stored meanwhile.
BULK_BUILD_ON_REQUEST = os.environ.get("BULK_BUILD_ON_REQUEST", "1") not in ("0", "off", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Redis when REDIS_URL is set (shared by every app server), else this process's memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "monographs"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a public page or API response stays cached (a publish replaces it at once, see
# monographs/publishing/cache.py). Off without a shared cache: workers could not tell each
# other about a publish.
PUBLISHED_RESPONSE_CACHE_SECONDS = int(
    os.environ.get("PUBLISHED_RESPONSE_CACHE_SECONDS", "600" if REDIS_URL else "0")
)
# An entry's API detail answered by its view (?fields=, another origin) is one indexed read:
# its response is cached from its second miss in a process, so an entry read once never costs
# the cache a write (1: at once). Stored pages and details read plainly never reach the cache.
PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES = int(
    os.environ.get("PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES", "2")
)
# A search is asked for once more often than not, and every publish retires all of them:
# its response is cached from its second miss in a process too (1: at once).
PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES = int(
    os.environ.get("PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES", "2")
)
# Request headers the response cache's key is also made of, though no response varies on
# them: for a load test that must miss the cache on purpose (config/settings_bench.py).
PUBLISHED_RESPONSE_CACHE_KEY_HEADERS: tuple[str, ...] = ()

# Caching proxies in front (Varnish with vmod xkey, deploy/varnish.vcl), each sent a PURGE
# naming the keys a publish changed once it has committed; comma-separated URLs such as
# http://127.0.0.1:6081/. A purge that fails is logged and never fails the publish.
CACHE_PURGE_URLS = [url for url in os.environ.get("CACHE_PURGE_URLS", "").split(",") if url]
CACHE_PURGE_TIMEOUT = float(os.environ.get("CACHE_PURGE_TIMEOUT", "0.5"))
# Each purge of an entry is sent again this many seconds later (0: never): a stored page read
# just before the commit can reach the proxy after the first purge, which would otherwise keep
# it for its TTL (monographs.publishing.cache.proxies_purge). A process that purged waits for
# its repeats before it exits, so the delay stays short.
CACHE_PURGE_REPEAT = float(os.environ.get("CACHE_PURGE_REPEAT", "2"))
if not 0 <= CACHE_PURGE_REPEAT <= 10:
    raise ImproperlyConfigured(
        f"CACHE_PURGE_REPEAT={CACHE_PURGE_REPEAT:g} is seconds from 0 (never) to 10: a process"
        " that purged waits for the repeat before it exits."
    )

# Entry pages are rendered when published and served as stored bytes (monographs/site). Off,
# every read renders them, through the same function: for comparing the two.
SERVE_STORED_PAGES = env_bool("SERVE_STORED_PAGES", True)
# A Last-Modified names a whole second, and a page's time is taken before its transaction
# commits: a page changed again within the second a reader was sent its date (or by a publish
# that dated its render before that reader's answer and committed less than this long after
# it) would be answered 304 to a revalidation by date alone. A date is sent, and
# If-Modified-Since answered by it, only once it is this many seconds old; until then the
# ETag alone validates.
LAST_MODIFIED_SETTLE_SECONDS = int(os.environ.get("LAST_MODIFIED_SETTLE_SECONDS", "10"))
if not 0 <= LAST_MODIFIED_SETTLE_SECONDS <= 3600:
    raise ImproperlyConfigured(
        f"LAST_MODIFIED_SETTLE_SECONDS={LAST_MODIFIED_SETTLE_SECONDS} is seconds from 0 to"
        " 3600: how old a page's date must be before it is sent."
    )
# At most this many pages are rendered again inside one publish's transaction; a publish that
# changes more (a drug named by thousands of trials) forgets them for `render_stored_pages`.
STORED_PAGES_RENDERED_AT_PUBLISH = int(os.environ.get("STORED_PAGES_RENDERED_AT_PUBLISH", "200"))

SEEDS_DIR = BASE_DIR / "seeds"
FIXTURES_DIR = BASE_DIR / "fixtures"

# Proxies in front of the app servers whose X-Forwarded-For is believed (config/clients.py):
# 0, the default, ignores the header; 1 behind the shipped nginx, which replaces it.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES is the number of trusted proxies: 0 or more.")

REST_FRAMEWORK = {
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["monographs.api.http.EncodedJSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["monographs.api.http.AnonymousReaderThrottle"],
    "DEFAULT_SCHEMA_CLASS": "monographs.api.schema.ReadAPISchema",
    "EXCEPTION_HANDLER": "monographs.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
# Requests per client address for the anonymous read API, e.g. "120/minute"; "off" disables.
API_THROTTLE_ANON = os.environ.get("API_THROTTLE_ANON", "120/minute")
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "60"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Oncology drug monographs: read API",
    "DESCRIPTION": "Published drug monographs, trials, adverse events and citations. "
    "Every response is built from reviewed publications only.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "monographs.api.schema.add_common_responses",
    ],
}

CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
# Revalidation from a browser: If-None-Match is not a CORS-safelisted header, so a
# preflight must allow it. Rate-limit headers are exposed, so browser clients can pace.
CORS_ALLOW_HEADERS = (*default_cors_headers, "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = (
    "ETag",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)

# --- Security: what `manage.py check --deploy` asks for, on by default whenever DEBUG is off.
# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO, so Django
# knows which requests came in over HTTPS (and does not redirect them forever).
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))

# Content-Security-Policy (django-csp): no inline script anywhere, nothing from other hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login lockout (django-axes, config/lockout.py): after AXES_FAILURE_LIMIT wrong passwords for
# one username from one address, that pair is refused (HTTP 429) until the cool-off passes;
# after AXES_ADDRESS_FAILURE_LIMIT from one address, whatever the usernames, the address is.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
if not 0 < AXES_FAILURE_LIMIT <= AXES_ADDRESS_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "AXES_ADDRESS_FAILURE_LIMIT must be at least AXES_FAILURE_LIMIT, which must be above 0."
    )
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "config.lockout.UsernameAndAddressLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "config.clients.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The services the importers read (monographs/importing): base URLs, a contact address sent
# in the User-Agent (Crossref's "polite" pool, NCBI's email), timeouts and retries.
CROSSREF_API_URL = os.environ.get("CROSSREF_API_URL", "https://api.crossref.org")
NCBI_EUTILS_URL = os.environ.get("NCBI_EUTILS_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils")
NCBI_API_KEY = os.environ.get("NCBI_API_KEY", "")
CLINICALTRIALS_API_URL = os.environ.get(
    "CLINICALTRIALS_API_URL", "https://clinicaltrials.gov/api/v2"
)
CLINICALTRIALS_STUDY_URL = "https://clinicaltrials.gov/study/"
IMPORT_CONTACT_EMAIL = os.environ.get("IMPORT_CONTACT_EMAIL", "")
# Where readers report an error in the content; the About page shows it.
CORRECTIONS_EMAIL = os.environ.get("CORRECTIONS_EMAIL", "")
IMPORT_HTTP_TIMEOUT = float(os.environ.get("IMPORT_HTTP_TIMEOUT", "10"))
IMPORT_HTTP_RETRIES = int(os.environ.get("IMPORT_HTTP_RETRIES", "2"))
IMPORT_HTTP_BACKOFF = float(os.environ.get("IMPORT_HTTP_BACKOFF", "1.0"))
# One request and its retries end within this time: below gunicorn's 30 s worker timeout.
IMPORT_HTTP_DEADLINE = float(os.environ.get("IMPORT_HTTP_DEADLINE", "20"))

# Workflow email (monographs/editorial/notifications.py): printed to the console unless an
# SMTP server is named. EDITORIAL_SITE_URL makes the links in them absolute.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "editorial@localhost")
EDITORIAL_SITE_URL = os.environ.get("EDITORIAL_SITE_URL", "http://127.0.0.1:8000")

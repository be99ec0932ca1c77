"""gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py qa_cms.wsgi`.
Every value can be changed from the environment (docs/configuration.md)."""

import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: the app is synchronous Django and each page is one query. Two per core, the
# usual starting point; tune with WEB_CONCURRENCY.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Load the app before forking: a broken setting fails the start, not each worker.
preload_app = True
# Only these addresses may set X-Forwarded-* for gunicorn itself (Django reads the proxy
# headers through SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The app logs one line per request (ops.middleware.RequestLogMiddleware), so no access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's control socket (for gunicornc) sits at one path per user: two servers on one
# machine would fight over it, and nothing here uses it.
control_socket_disable = True

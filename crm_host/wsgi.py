"""WSGI entry point of the standalone host (``gunicorn crm_host.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_host.settings")
application = get_wsgi_application()

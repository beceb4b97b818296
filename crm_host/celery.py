import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_host.settings")

app = Celery("crm_host")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["saleor_crm_plugin"])

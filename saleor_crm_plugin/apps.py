from django.apps import AppConfig


class CRMConfig(AppConfig):
    name = "saleor_crm_plugin"
    label = "saleor_crm_plugin"
    verbose_name = "Saleor CRM"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Periodic work is registered with whichever Celery app is current
        # (Saleor's in a shop, the standalone host's otherwise): a plugin does
        # not own Saleor's CELERY_BEAT_SCHEDULE setting. In a beat process this
        # runs before the scheduler reads beat_schedule (see schedule.py).
        from celery import current_app

        from .schedule import connect_signals, register_periodic_tasks

        register_periodic_tasks(current_app)
        connect_signals()

        # Bounces and complaints reported by the ESP (anymail's tracking webhooks) feed the suppression list.
        from anymail.signals import tracking

        from .campaigns.bounces import on_tracking_event
        from .campaigns.tracking import record_event

        tracking.connect(on_tracking_event, weak=False, dispatch_uid="crm-suppress-bounces")
        # Every event is stored per delivery (once per ESP event id); bounces and complaints check the campaign.
        tracking.connect(record_event, weak=False, dispatch_uid="crm-delivery-events")

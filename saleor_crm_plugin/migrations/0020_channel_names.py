"""Channels by name: the name and currency of a channel the CRM learnt from events (outside Saleor; inside it
Saleor's own channels are read). The currency of the channels already known comes from their latest order."""

from django.db import migrations, models

SEED_CURRENCIES = """
UPDATE crm_shop_channel c SET currency = o.currency
FROM (SELECT DISTINCT ON (channel) channel, currency FROM crm_order ORDER BY channel, placed_at DESC) o
WHERE o.channel = c.slug AND c.currency = ''
"""


class Migration(migrations.Migration):

    dependencies = [
        ("saleor_crm_plugin", "0019_recompute_runs"),
    ]

    operations = [
        migrations.AddField(
            model_name="shopchannel",
            name="name",
            field=models.CharField(blank=True, db_default="", default="", max_length=255),
        ),
        migrations.AddField(
            model_name="shopchannel",
            name="currency",
            field=models.CharField(blank=True, db_default="", default="", max_length=3),
        ),
        migrations.RunSQL(SEED_CURRENCIES, migrations.RunSQL.noop),
    ]

from django.db import migrations


class Migration(migrations.Migration):
    """Keep event payloads out of line (TOAST), uncompressed.

    Folding updates every outbox row once (status, profile). With the ~1 KB
    payload inline, each update rewrites the whole payload; out of line, the
    update copies a small tuple and a pointer (about half the fold's update
    time in bench/ingest.py).
    """

    dependencies = [("saleor_crm_plugin", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=[
                "ALTER TABLE crm_event SET (toast_tuple_target = 128)",
                "ALTER TABLE crm_event ALTER COLUMN payload SET STORAGE EXTERNAL",
                "ALTER TABLE crm_event ALTER COLUMN raw SET STORAGE EXTERNAL",
            ],
            reverse_sql=[
                "ALTER TABLE crm_event RESET (toast_tuple_target)",
                "ALTER TABLE crm_event ALTER COLUMN payload SET STORAGE EXTENDED",
                "ALTER TABLE crm_event ALTER COLUMN raw SET STORAGE EXTENDED",
            ],
        )
    ]

"""Customer search by email, name, phone and order number: phones on profiles and orders, a trigram index
over the profile's searchable text (pg_trgm), an index on order numbers.

The index expression is written out here, not imported: a migration keeps meaning what it meant when it was
written (profiles.search.SEARCH_TEXT must stay the same expression, or the planner no longer uses it).

The indexes are built CONCURRENTLY (so not in one transaction): a shop's orders and profiles keep being
written while they build (the trigram index took 44 s over 1M profiles).
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

SEARCH_TEXT = "(COALESCE(email, '') || ' ' || first_name || ' ' || last_name || ' ' || phone)"


class Migration(migrations.Migration):

    atomic = False
    dependencies = [
        ("saleor_crm_plugin", "0017_app_token_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerprofile",
            name="phone",
            field=models.CharField(blank=True, db_default="", default="", max_length=32,
                                   help_text="Phone of the newest order's address, else of the account's default "
                                             "address."),
        ),
        migrations.AddField(
            model_name="crmorder",
            name="phone",
            field=models.CharField(blank=True, db_default="", default="", max_length=32),
        ),
        AddIndexConcurrently(
            model_name="crmorder",
            index=models.Index(fields=["number"], name="crm_order_number_idx"),
        ),
        # Saleor's own search indexes (user_search_gin…) need pg_trgm already, so in a Saleor database it exists;
        # elsewhere a user that may not create extensions needs it created once by the database's owner.
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS crm_profile_search_trgm_idx ON crm_customer_profile "
            f"USING gin ({SEARCH_TEXT} gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS crm_profile_search_trgm_idx",
        ),
    ]

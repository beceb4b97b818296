"""Predefined RFM segments named as a merchant reads them ("RFM: can't lose", not "RFM: cant lose")."""

from django.db import migrations

# Frozen here (a migration must not import code that may change): key → printed name.
RENAMED = {"cant_lose": "can't lose", "potential_loyalist": "potential loyalists"}


def rename(apps, schema_editor, forward=True):
    Segment = apps.get_model("saleor_crm_plugin", "Segment")
    for key, label in RENAMED.items():
        old, new = key.replace("_", " "), label
        if not forward:
            old, new = new, old
        Segment.objects.filter(is_predefined=True, name=f"RFM: {old}").update(
            name=f"RFM: {new}", description=f"Customers in the RFM group '{new}' (any currency).")


class Migration(migrations.Migration):
    dependencies = [("saleor_crm_plugin", "0008_profile_recompute_error")]
    operations = [migrations.RunPython(rename, lambda apps, editor: rename(apps, editor, forward=False))]

"""The app token at rest is sealed (``saleor_crm_plugin.sealing``): existing plaintext tokens are sealed, the
plaintext column dropped. Reversible (the tokens are unsealed back into it)."""

from django.db import migrations, models

# Fixed here, not imported from the model: a migration keeps meaning what it meant when it was written.
APP_TOKEN_PURPOSE = "saleor_crm_plugin.app_token"


def seal_tokens(apps, schema_editor):
    from saleor_crm_plugin.sealing import seal

    AppRegistration = apps.get_model("saleor_crm_plugin", "AppRegistration")
    for registration in AppRegistration.objects.using(schema_editor.connection.alias).all():
        registration.sealed_token = seal(registration.auth_token, APP_TOKEN_PURPOSE)
        registration.save(update_fields=["sealed_token"])


def unseal_tokens(apps, schema_editor):
    from saleor_crm_plugin.sealing import unseal

    AppRegistration = apps.get_model("saleor_crm_plugin", "AppRegistration")
    for registration in AppRegistration.objects.using(schema_editor.connection.alias).all():
        registration.auth_token = unseal(registration.sealed_token, APP_TOKEN_PURPOSE)
        registration.save(update_fields=["auth_token"])


class Migration(migrations.Migration):

    dependencies = [
        # After main's 0016 (the anonymous limits), so the history stays one line: the next migration follows this.
        ('saleor_crm_plugin', '0016_anonymous_limits'),
    ]

    operations = [
        migrations.AddField(
            model_name='appregistration',
            name='sealed_token',
            field=models.TextField(default=''),
        ),
        migrations.RunPython(seal_tokens, unseal_tokens),
        # A default before it goes, so that reversing this migration can add the column back to existing rows.
        migrations.AlterField(
            model_name='appregistration',
            name='auth_token',
            field=models.CharField(default='', max_length=256),
        ),
        migrations.RemoveField(
            model_name='appregistration',
            name='auth_token',
        ),
    ]

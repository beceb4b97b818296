# Recompute runs ("Recompute now" and the recompute after the first backfill): issue 21.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_crm_plugin', '0018_customer_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecomputeRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name='ID')),
                ('state', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'),
                                                    ('failed', 'Failed')], default='queued', max_length=8)),
                ('reason', models.CharField(choices=[('backfill', 'Backfill'), ('staff', 'Staff')], max_length=8)),
                ('step', models.CharField(blank=True, default='', help_text='The step running, or last run.',
                                          max_length=16)),
                ('done', models.PositiveSmallIntegerField(default=0)),
                ('total', models.PositiveSmallIntegerField(default=0)),
                ('requested_at', models.DateTimeField()),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('error', models.TextField(blank=True, default='')),
                ('figures', models.JSONField(default=dict,
                                             help_text='What each step did: customers scored, segment members.')),
            ],
            options={
                'db_table': 'crm_recompute_run',
                'constraints': [models.UniqueConstraint(
                    models.Value(1), condition=models.Q(('state__in', ['queued', 'running'])),
                    name='crm_recompute_one_active')],
            },
        ),
    ]

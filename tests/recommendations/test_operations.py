"""Training as the shop runs it: the Celery task, the command, the nightly schedule."""

from io import StringIO

import pytest
from django.core.management import call_command

from saleor_crm_plugin.models import RecommendationModel
from saleor_crm_plugin.recommendations.training import TRAINING_LOCK

pytestmark = pytest.mark.django_db


def test_the_training_task_swaps_in_a_new_version(record_shop):
    from saleor_crm_plugin.tasks import train_recommendations

    # when
    first = train_recommendations()
    second = train_recommendations()
    # then
    active = RecommendationModel.objects.get(is_active=True)
    assert active.version == second["version"] != first["version"]
    assert RecommendationModel.objects.get(version=first["version"]).status == "retired"
    assert second["counts"]["orders"] == 32


def test_a_second_training_while_one_runs_is_skipped_with_a_code(record_shop):
    import psycopg
    from django.db import connection

    from saleor_crm_plugin.tasks import train_recommendations

    # given: another process holds the training lock
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                         dbname=settings["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [TRAINING_LOCK])
        # when
        result = train_recommendations()
    # then
    assert result == {"skipped": "training_in_progress"}
    assert not RecommendationModel.objects.exists()


def test_the_command_trains_lists_and_rolls_back(record_shop):
    out = StringIO()
    call_command("crm_train", "--details", stdout=out, stderr=StringIO())
    first = RecommendationModel.objects.get(is_active=True).version
    call_command("crm_train", "--no-evaluate", stdout=out, stderr=StringIO())
    assert "for you: recall@10" in out.getvalue() and "Trained" in out.getvalue()

    call_command("crm_train", "--activate", first, stdout=out)
    assert RecommendationModel.objects.get(is_active=True).version == first
    listing = StringIO()
    call_command("crm_train", "--list", stdout=listing)
    assert listing.getvalue().splitlines()[1].startswith(f"* {first}")


def test_training_runs_nightly_from_celery_beat():
    from celery import current_app

    from saleor_crm_plugin.schedule import register_periodic_tasks

    register_periodic_tasks(current_app)
    current_app.loader.import_default_modules()
    entry = current_app.conf.beat_schedule["crm-nightly-training"]
    assert entry["task"] == "saleor_crm_plugin.tasks.train_recommendations"
    assert entry["schedule"].hour == {3}

"""A model swap while other threads serve: every answer comes from one whole version."""

import threading
import time

import pytest
from django.db import connection

from saleor_crm_plugin.error_codes import RecommendationErrorCode
from saleor_crm_plugin.models import RecommendationModel
from saleor_crm_plugin.recommendations import service
from saleor_crm_plugin.recommendations.training import TrainingError, activate_version, train_models
from tests.conftest import T0, days
from tests.recommendations.conftest import RECORDS, profile_id

pytestmark = pytest.mark.django_db(transaction=True)


def answers(jazz_fan):
    return (
        tuple(service.for_customer(jazz_fan, "web", 5)),
        tuple(service.also_bought(1, "web", 5)),
        tuple(service.similar(7, "web", 5)),
        tuple(service.for_cart([1, 4], "web", 5)),
    )


def test_a_swap_during_serving_never_mixes_versions_or_serves_a_half_written_one(record_shop, events, ingest):
    # given: version A, then version B trained after the jazz fans took to the cleaning kit and rock
    jazz_fan = profile_id(100)
    version_a = train_models().version
    expected_a = answers(jazz_fan)
    ingest(*[
        events.order(email=f"jazz{c}@example.com", user_id=100 + c, at=T0 + days(40 + n), channel="web",
                     lines=[events.line(product_id=p, name=RECORDS[p][0], category=RECORDS[p][1]) for p in (1, 7, 4)])
        for c in range(4) for n in range(3)
    ])
    version_b = train_models().version
    expected_b = answers(jazz_fan)
    assert all(a != b for a, b in zip(expected_a, expected_b))
    # and a version still being written: no bundle yet, then a torn one
    RecommendationModel.objects.create(version="in-progress", status="training")
    with pytest.raises(TrainingError) as refused:
        activate_version("in-progress")
    assert refused.value.code is RecommendationErrorCode.NOT_FOUND

    seen, wrong, stop = [], [], threading.Event()

    def serve():
        try:
            while not stop.is_set():
                try:
                    got_all = answers(jazz_fan)
                except Exception as error:  # noqa: BLE001 - a torn bundle would raise here
                    wrong.append(repr(error))
                    continue
                # Each call works on one version (a swap may fall between two calls).
                for index, got in enumerate(got_all):
                    if got == expected_a[index]:
                        seen.append("a")
                    elif got == expected_b[index]:
                        seen.append("b")
                    else:
                        wrong.append(got)
        finally:
            connection.close()

    readers = [threading.Thread(target=serve) for _ in range(2)]
    # when: the active version flips back and forth under the readers
    for reader in readers:
        reader.start()
    try:
        for flip in range(30):
            activate_version(version_a if flip % 2 else version_b)
            RecommendationModel.objects.filter(version="in-progress").update(bundle=b"PK\x03\x04torn", bundle_bytes=8)
            time.sleep(0.02)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    # then
    assert wrong == []
    assert {"a", "b"} <= set(seen)
    assert RecommendationModel.objects.filter(is_active=True).count() == 1

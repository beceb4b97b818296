"""Saved segments: membership follows new orders, nightly refresh, predefined RFM segments."""

import pytest

from saleor_crm_plugin.models import CustomerProfile, Segment, SegmentMember
from saleor_crm_plugin.segments.membership import refresh_all, save_segment
from saleor_crm_plugin.segments.rules import SegmentErrorCode, SegmentRuleError

pytestmark = pytest.mark.django_db


def members(segment) -> set[str]:
    return set(SegmentMember.objects.filter(segment=segment).values_list("profile__email", flat=True))


def test_a_new_order_moves_a_customer_into_a_segment(events, ingest):
    # given: a "regulars" segment (3+ orders); Ann has two
    ingest(events.order(email="ann@example.com", user_id=1), events.order(email="ann@example.com", user_id=1),
           events.order(email="bob@example.com"))
    regulars = save_segment(name="Regulars", rules={"field": "order_count", "op": "gte", "value": 3})
    assert members(regulars) == set() and regulars.member_count == 0
    # when: her third order is folded
    ingest(events.order(email="ann@example.com", user_id=1))
    # then: no nightly refresh needed
    regulars.refresh_from_db()
    assert members(regulars) == {"ann@example.com"} and regulars.member_count == 1
    joined = SegmentMember.objects.get(segment=regulars).since
    # and a cancellation takes her out again, while others stay untouched
    order_id = CustomerProfile.objects.get(user_id=1).orders.order_by("-placed_at").first().order_id
    ingest(events.order("order.cancelled", order_id=order_id, email="ann@example.com", user_id=1,
                        status="canceled"))
    assert members(regulars) == set()
    ingest(events.order(email="ann@example.com", user_id=1))
    assert SegmentMember.objects.get(segment=regulars).since >= joined


def test_predefined_rfm_segments_exist_and_fill_after_the_analytics(events, ingest):
    from saleor_crm_plugin.analytics.rfm import GROUPS
    from saleor_crm_plugin.profiles.scores import recompute_scores

    predefined = Segment.objects.filter(is_predefined=True)
    assert predefined.count() == len(GROUPS)
    ingest(*[events.order(email=f"c{i}@example.com") for i in range(5)])
    recompute_scores()
    refresh_all()
    assert sum(s.member_count for s in Segment.objects.filter(is_predefined=True)) == 5
    with pytest.raises(SegmentRuleError) as error:
        save_segment(name="Mine now", rules={"field": "order_count", "op": "gt", "value": 0},
                     segment=predefined.first())
    assert error.value.code is SegmentErrorCode.PREDEFINED


def test_saving_validates_names_and_rules_and_keeps_nothing_half_done(db):
    save_segment(name="Big spenders", rules={"field": "revenue", "op": "gt", "value": 500})
    with pytest.raises(SegmentRuleError) as duplicate:
        save_segment(name="Big spenders", rules={"field": "revenue", "op": "gt", "value": 100})
    with pytest.raises(SegmentRuleError) as bad_rule:
        save_segment(name="Broken", rules={"field": "revenue", "op": "gt", "value": "lots"})
    with pytest.raises(SegmentRuleError) as unnamed:
        save_segment(name="  ", rules={"field": "revenue", "op": "gt", "value": 1})
    assert duplicate.value.code is SegmentErrorCode.DUPLICATE and duplicate.value.field == "name"
    assert bad_rule.value.code is SegmentErrorCode.INVALID_VALUE and bad_rule.value.field == "value"
    assert unnamed.value.code is SegmentErrorCode.INVALID_VALUE
    assert not Segment.objects.filter(name__in=["Broken", "  "]).exists()


@pytest.mark.parametrize("name, description, field", [
    ("x" * 121, "", "name"),
    ("Null\x00byte", "", "name"),
    ("Lone \udc00", "", "name"),
    (["a list"], "", "name"),
    ("Fine", "bad\x00", "description"),
    ("Fine", "d" * 2001, "description"),
])
def test_names_and_descriptions_postgresql_cannot_hold_get_a_code(db, name, description, field):
    # given a rule that is fine
    rules = {"field": "order_count", "op": "gte", "value": 1}
    # when the name or description is not storable text
    with pytest.raises(SegmentRuleError) as error:
        save_segment(name=name, rules=rules, description=description)
    # then it is refused with a code on that field and nothing is saved
    assert error.value.code is SegmentErrorCode.INVALID_VALUE and error.value.field == field
    assert not Segment.objects.filter(is_predefined=False).exists()


def test_the_nightly_task_recomputes_analytics_then_every_segment(events, ingest):
    from celery import current_app

    from saleor_crm_plugin.schedule import register_periodic_tasks
    from saleor_crm_plugin.tasks import recompute_analytics

    ingest(*[events.order(email=f"c{i}@example.com", user_id=10 + i) for i in range(3)])
    save_segment(name="Anyone", rules={"field": "order_count", "op": "gte", "value": 1})
    result = recompute_analytics()
    assert result["customers"] == {"USD": 3}
    assert result["segments"]["Anyone"] == 3 and sum(result["segments"].values()) == 6  # + the RFM segments
    register_periodic_tasks(current_app)
    entry = current_app.conf.beat_schedule["crm-nightly-analytics"]
    assert entry["task"] == "saleor_crm_plugin.tasks.recompute_analytics"


def test_predefined_rfm_segments_are_named_as_a_merchant_reads_them(db):
    # given the migrated database
    names = set(Segment.objects.filter(is_predefined=True).values_list("name", flat=True))
    # then every RFM group has its segment, spelled properly
    assert len(names) == 11 and {"RFM: can't lose", "RFM: potential loyalists", "RFM: needs attention"} <= names
    assert not any("cant" in name for name in names)


def test_a_preview_that_runs_too_long_is_too_complex_not_a_held_worker(events, ingest, monkeypatch):
    # given: a preview whose SQL takes longer than its time (PostgreSQL sleeps for each customer)
    from saleor_crm_plugin.segments import membership

    ingest(events.order(email="ann@example.com"), events.order(email="bob@example.com"))
    monkeypatch.setattr(membership, "PREVIEW_TIMEOUT_MS", 50)
    monkeypatch.setattr(membership, "_matching", lambda rule, now, only=None: (
        "SELECT p.id FROM crm_customer_profile p WHERE pg_sleep(0.1) IS NOT NULL", []))
    # when
    with pytest.raises(SegmentRuleError) as refused:
        membership.preview({"field": "order_count", "op": "gte", "value": 1})
    # then: PostgreSQL stopped it; the connection is usable afterwards
    assert refused.value.code is SegmentErrorCode.TOO_COMPLEX and refused.value.field == ""
    assert CustomerProfile.objects.count() == 2


def test_a_preview_counts_and_samples_in_order(events, ingest):
    # given
    ingest(*[events.order(email=f"c{n}@example.com") for n in range(12)])
    from saleor_crm_plugin.segments.membership import preview

    # when
    found = preview({"field": "order_count", "op": "gte", "value": 1}, sample=3)
    # then
    first = sorted(CustomerProfile.objects.values_list("pk", flat=True))[:3]
    assert found == {"count": 12, "sample": first}

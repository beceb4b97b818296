"""Words for printed reports: RFM group names as a merchant reads them, counts with their plural."""

# The stored group keys are identifiers ("cant_lose"); a report shows the name.
GROUP_LABELS = {
    "champions": "champions",
    "loyal": "loyal",
    "potential_loyalist": "potential loyalists",
    "new": "new",
    "promising": "promising",
    "needs_attention": "needs attention",
    "about_to_sleep": "about to sleep",
    "cant_lose": "can't lose",
    "at_risk": "at risk",
    "hibernating": "hibernating",
    "lost": "lost",
}


def group_label(group: str) -> str:
    """The printed name of an RFM group key (an unknown key is shown with spaces for underscores)."""
    return GROUP_LABELS.get(group, group.replace("_", " "))


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """``1 order``, ``2 orders``, ``1,234 customers``."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"

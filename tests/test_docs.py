"""The README and docs/: every relative link reaches a file, and every #anchor a heading of it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    return {github_anchor(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def relative_links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text())
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def test_the_docs_folder_has_every_guide():
    names = {p.name for p in PAGES}
    assert {"merchant-guide.md", "marketer-guide.md", "api.md", "operations.md",
            "testing-against-saleor.md", "benchmarks.md"} <= names


def test_the_anchor_rule_matches_github():
    assert github_anchor("Recommendation quality (`bench/recs_quality.py`)") == \
        "recommendation-quality-benchrecs_qualitypy"
    assert github_anchor("Privacy: erasure and export") == "privacy-erasure-and-export"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading #{anchor}")
    assert not broken, f"{page.name}: {broken}"


def test_the_readme_stays_short_and_speaks_for_itself():
    text = (ROOT / "README.md").read_text()
    assert len(text) < 8000
    assert "the issue" not in "".join(p.read_text() for p in PAGES).lower()

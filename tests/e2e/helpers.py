"""Plain helpers the browser tests share (fixtures live in conftest.py)."""

from __future__ import annotations


def unfold(page, summary: str) -> None:
    """Open a folded section of the claim page by clicking its summary, as a user does; a
    section the page already shows open (after an error, or for a draft's author) stays open."""
    section = page.locator("details", has=page.locator("summary", has_text=summary)).first
    if not section.evaluate("el => el.open"):
        section.locator("summary").first.click()

"""Plain helpers the browser tests share (fixtures live in conftest.py)."""

from __future__ import annotations


def unfold(page, summary: str) -> None:
    """Open a folded section of the claim page by clicking its summary, as a user does; a
    section the page already shows open (after an error, or for a draft's author) stays open."""
    section = page.locator("details", has=page.locator("summary", has_text=summary)).first
    if not section.evaluate("el => el.open"):
        section.locator("summary").first.click()


EDNA_PASSWORD = "correct horse battery"


def make_edna():
    """Edna Editor (username "edna", password EDNA_PASSWORD), in the Editors group: the
    person the picker, duplicate and filter walks sign in as."""
    from tests.factories import EditorFactory

    editor = EditorFactory(username="edna", first_name="Edna", last_name="Editor")
    editor.set_password(EDNA_PASSWORD)
    editor.save()
    return editor

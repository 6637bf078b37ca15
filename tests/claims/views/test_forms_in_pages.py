"""A newsroom's first day (issue 14), below the browser: date inputs render ISO, a form sent
back unchanged writes nothing, in-page forms answer in words, and evidence explains itself.
The browser round trips are in tests/e2e/test_round_trip.py and test_inpage_forms.py."""

from __future__ import annotations

import datetime
import importlib
import pkgutil
import re

import pytest
from django import forms as django_forms
from django.urls import reverse

from claims.choices import SourceStatus
from claims.fetching.facts import capture_facts
from claims.filtersets import ClaimFilter
from claims.forms.articles import ArticleTextForm
from claims.forms.claims import ClaimEditForm, ClaimLogForm
from claims.forms.reports import ReportForm
from claims.forms.sources import EvidenceForm
from claims.forms.verdicts import VerdictDraftForm
from claims.models import Claim, Evidence, Source, Verdict
from claims.services.claims import claim_assign, claim_update
from claims.services.sources import evidence_update, source_attach
from claims.services.verdicts import verdict_save_draft
from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory, VerdictFactory
from tests.verdict_setup import captured_source_evidence

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 10, 15)


def date_values(html: str) -> list[str]:
    return re.findall(r'<input type="date"[^>]*value="([^"]*)"', str(html))


# --- Dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (lambda: ClaimEditForm(initial={"claimed_on": DAY}), "claimed_on"),
        (lambda: ClaimLogForm(initial={"claimed_on": DAY}), "claimed_on"),
        (lambda: ArticleTextForm(initial={"published_on": DAY}, prefix="text"), "published_on"),
        (lambda: ReportForm(initial={"since": DAY, "until": DAY}), "since"),
        (lambda: ReportForm(initial={"since": DAY, "until": DAY}), "until"),
    ],
)
def test_every_date_input_renders_iso(form, field):
    bound = form()[field]
    assert date_values(bound) == ["2019-10-15"], str(bound)


def _desk_form_classes():
    import claims

    for info in pkgutil.walk_packages(claims.__path__, "claims."):
        if ".migrations" in info.name or ".management" in info.name:
            continue
        importlib.import_module(info.name)
    seen, todo = set(), [django_forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted((c for c in seen if c.__module__.startswith("claims.")),
                  key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_date_field_of_every_desk_form_uses_the_iso_widget():
    """Found by walking the code, so a form added later (the correction form's date claimed,
    say) cannot bring back the en-gb rendering that erased dates."""
    checked = []
    for form_class in _desk_form_classes():
        for name, field in getattr(form_class, "base_fields", {}).items():
            if isinstance(field.widget, django_forms.DateInput):
                checked.append(f"{form_class.__qualname__}.{name}")
                assert field.widget.format_value(DAY) == "2019-10-15", checked[-1]
    assert "CorrectionForm.claimed_on" in checked and "ClaimLogForm.claimed_on" in checked


def test_every_date_field_of_the_filters_uses_the_iso_widget():
    dates = [name for name, f in ClaimFilter().form.fields.items()
             if f.widget.input_type == "date"]
    assert dates, "the claims filter has date fields"
    for name in dates:
        assert ClaimFilter().form.fields[name].widget.format_value(DAY) == "2019-10-15", name


def test_claim_page_edit_form_shows_the_stored_date_as_iso(client, demo_users):
    claim = ClaimFactory(claimed_on=DAY)
    client.force_login(demo_users["editor"])
    page = client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert 'value="2019-10-15"' in page
    assert "15/10/2019" not in page


# --- A form sent back unchanged writes nothing ---------------------------------------------


def history_count(model, **filters) -> int:
    return model.history.filter(**filters).count()


def test_claim_update_with_nothing_changed_writes_nothing(demo_users):
    claim = ClaimFactory(claimed_on=DAY)
    claim_update(claim=claim, version=claim.version, statement="Edited",
                          claimant=claim.claimant, claimed_on=DAY, tags=["jobs"],
                          user=demo_users["editor"])
    claim.refresh_from_db()
    version, rows = claim.version, history_count(Claim, id=claim.pk)
    same = claim_update(claim=claim, version=claim.version, statement=" Edited ",
                                 claimant=claim.claimant, claimed_on=DAY, tags=["Jobs"],
                                 user=demo_users["editor"])
    assert same.version == version
    assert history_count(Claim, id=claim.pk) == rows
    # A real change still saves.
    claim_update(claim=claim, version=version, statement="Edited",
                          claimant=claim.claimant, claimed_on=None, tags=["jobs"],
                          user=demo_users["editor"])
    claim.refresh_from_db()
    assert claim.claimed_on is None and claim.version == version + 1


def test_assigning_the_same_person_again_writes_nothing(demo_users):
    claim = ClaimFactory(assignee=demo_users["editor"])
    version, rows = claim.version, history_count(Claim, id=claim.pk)
    claim_assign(claim=claim, assignee=demo_users["editor"], user=demo_users["editor"])
    claim.refresh_from_db()
    assert claim.version == version and history_count(Claim, id=claim.pk) == rows


def test_evidence_sent_back_unchanged_writes_nothing_even_with_crlf(demo_users):
    evidence = EvidenceFactory(note="Line one\nLine two", excerpt="A passage")
    rows = history_count(Evidence, id=evidence.pk)
    changed = evidence_update(evidence=evidence, stance=evidence.stance,
                              note="Line one\r\nLine two", excerpt="A passage",
                              user=demo_users["editor"])
    assert changed == []
    assert history_count(Evidence, id=evidence.pk) == rows


def test_verdict_draft_sent_back_unchanged_writes_nothing(demo_users):
    editor = demo_users["editor"]
    verdict = VerdictFactory(author=editor, rationale="First line.\nSecond line.")
    evidence = captured_source_evidence(verdict.claim)
    verdict.evidence.add(evidence)
    lock, rows = verdict.lock_version, history_count(Verdict, id=verdict.pk)
    verdict_save_draft(
        claim=verdict.claim, user=editor, lock_version=lock, rating=verdict.rating,
        summary=verdict.summary, rationale="First line.\r\nSecond line.", evidence=[evidence],
    )
    verdict.refresh_from_db()
    assert verdict.lock_version == lock and history_count(Verdict, id=verdict.pk) == rows


# --- In-page forms answer in words ----------------------------------------------------------


def test_empty_evidence_form_answers_with_its_error_beside_the_note(client, demo_users):
    claim = ClaimFactory()
    client.force_login(demo_users["editor"])
    response = client.post(reverse("claims:claim-evidence-add", args=[claim.pk]),
                           {"stance": "refutes", "excerpt": "kept text"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400  # swapped in by static/js/desk.js
    html = response.content.decode()
    assert 'id="id_note_error"' in html and "Write a note" in html
    note = re.search(r'<textarea name="note"[^>]*>', html).group(0)
    assert "is-invalid" in note and 'aria-invalid="true"' in note
    assert "kept text" in html
    assert 'value="refutes" selected' in html


def test_a_bad_stance_is_named_in_words(client, demo_users):
    claim = ClaimFactory()
    client.force_login(demo_users["editor"])
    response = client.post(reverse("claims:claim-evidence-add", args=[claim.pk]),
                           {"stance": "bogus", "note": "typed"},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="id_stance_error"' in html
    assert "typed" in html


def test_add_new_claimant_without_a_name_says_so(client, demo_users):
    client.force_login(demo_users["editor"])
    response = client.post(reverse("claims:claimant-create"),
                           {"claimant_name": " ", "claimant_role": "Minister"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Give the claimant" in response.content.decode()
    assert 'id="claimant-create-error"' in response.content.decode()


def test_refetch_refused_is_said_beside_the_status(client, demo_users):
    source = SourceFactory(status=SourceStatus.FETCHING)
    client.force_login(demo_users["editor"])
    response = client.post(reverse("claims:source-refetch", args=[source.pk]),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "being fetched right now" in response.content.decode()


def test_desk_js_swaps_form_errors_and_says_other_failures():
    from django.conf import settings

    js = (settings.BASE_DIR / "static" / "js" / "desk.js").read_text()
    assert "htmx:beforeSwap" in js and "status === 400 || status === 422" in js
    assert "htmx:responseError" in js and "htmx:sendError" in js


# --- Evidence that explains itself -----------------------------------------------------------


def test_attached_source_shows_in_the_evidence_list(client, demo_users):
    claim = ClaimFactory()
    client.force_login(demo_users["editor"])
    page = client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert "No evidence yet." in page
    source_attach(claim=claim, url="https://example.org/jobs-report", user=None)
    page = client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    evidence = page[page.index('id="evidence"'):page.index('id="add-evidence-heading"')]
    assert "example.org/jobs-report" in evidence
    assert "· being fetched" in evidence
    assert "No evidence yet." not in evidence


def test_evidence_form_starts_empty_so_it_always_adds():
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, note="Written before", stance="supports")
    form = EvidenceForm(claim=claim)
    assert "source" not in form.fields  # a source is cited by attaching it
    assert form["note"].value() is None
    assert form["stance"].value() == "context"


def test_new_verdict_form_never_preticks_a_failed_source(client, demo_users):
    claim = ClaimFactory()
    fetched = captured_source_evidence(claim, ok=True)
    failed = captured_source_evidence(claim, ok=False)
    Source.objects.filter(pk=failed.source_id).update(status=SourceStatus.FAILED)
    Source.objects.filter(pk=fetched.source_id).update(status=SourceStatus.FETCHED)
    client.force_login(demo_users["editor"])
    page = client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    boxes = dict(re.findall(r'<input type="checkbox" name="evidence" value="(\d+)"([^>]*)>', page))
    assert "checked" in boxes[str(fetched.pk)]
    assert "checked" not in boxes[str(failed.pk)]
    assert "(fetch failed)" in page


def test_evidence_labels_say_a_source_could_not_be_fetched():
    claim = ClaimFactory()
    failed = EvidenceFactory(claim=claim, source=SourceFactory(status=SourceStatus.FAILED))
    form = VerdictDraftForm(claim=claim)
    labels = dict(form.fields["evidence"].choices)
    assert labels[failed.pk].endswith("(fetch failed)")


def test_capture_metadata_reads_as_labelled_facts():
    facts = dict(capture_facts({
        "redirects": [], "ip": "93.184.216.34", "fetch_ms": 1234, "extract_ms": 56,
        "kind": "html", "encoding": "utf-8", "sitename": "Example News", "language": "en",
        "opengraph": {"og:title": "Jobs up", "og:site_name": "Example"},
        "json_ld": {"type": "newsarticle", "headline": "Jobs up", "author": "A. Writer",
                    "datePublished": "2019-10-15", "publisher": ""},
    }))
    assert facts["Redirects"] == "none"
    assert facts["Download time"] == "1.2 s" and facts["Text extraction time"] == "56 ms"
    assert facts["Read as"] == "Web page (HTML)"
    assert facts["Title (page tags)"] == "Jobs up"
    assert facts["Author (structured data)"] == "A. Writer"
    assert "Publisher (structured data)" not in facts  # empty values are left out
    text = " ".join(f"{k} {v}" for k, v in facts.items())
    for python in ("{", "[]", "fetch_ms", "json_ld", "og:"):
        assert python not in text


def test_source_page_shows_no_python_output(client, demo_users):
    evidence = captured_source_evidence(ClaimFactory())
    evidence.source.captures.update(metadata={
        "redirects": ["http://example.org/a"], "ip": "93.184.216.34", "fetch_ms": 80,
        "opengraph": {"og:title": "Jobs"}, "json_ld": {"type": "newsarticle"},
    })
    client.force_login(demo_users["editor"])
    page = client.get(reverse("claims:source-detail", args=[evidence.source_id])).content
    meta = page.decode().split('id="meta-heading"')[1].split("</dl>")[0]
    assert "<dt>Redirects</dt>" in meta and "1, through http://example.org/a" in meta
    assert "<dt>Download time</dt><dd" in meta and "80 ms" in meta
    for python in ("{&#x27;", "[]", "fetch_ms", "json_ld", "opengraph"):
        assert python not in meta


def test_pages_name_their_icon_and_favicon_ico_leads_to_it(client, demo_users):
    """Without an icon, every page's console shows a 404 for /favicon.ico."""
    from django.contrib.staticfiles import finders

    client.force_login(demo_users["editor"])
    page = client.get(reverse("claims:dashboard"))
    assert b'<link rel="icon" href="/static/img/favicon.svg"' in page.content
    assert finders.find("img/favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.svg"

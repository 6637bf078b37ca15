"""The claim page says one thing about each source: its row in Sources, its item in the
evidence list and the banner after attaching it show the same moment of its fetch, in the
same words, even when the worker finishes while the page is being read. Attaching names the
evidence it creates; "Add evidence" always adds (or refuses in words) and each item's "Edit"
says exactly what it changed, with htmx and without JavaScript."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from claims import selectors
from claims.models import Evidence, Source
from claims.views import claims as claim_views
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def banner(page: str) -> str:
    start = page.rindex("<div", 0, page.index("data-follows-source"))
    return text(page[start:page.index("</div>", start)])


def row_status(page: str, source: Source) -> str:
    start = page.index(f'id="source-status-{source.pk}"')
    return text(page[start:page.index("</span>", start)].split(">", 1)[1])


def evidence_state(page: str, source: Source) -> str:
    start = page.index(f'data-evidence-source="{source.pk}"')
    return text(page[start:page.index("</span>", start)].split(">", 1)[1])


def evidence_section(page: str) -> str:
    return page[page.index('<section id="evidence"'):page.index("</section>",
                                                                page.index('id="evidence"'))]


@pytest.fixture
def attached(client_ed):
    """A claim with a source just attached (pending: the fetch is enqueued on commit, which
    this test's transaction never reaches)."""
    claim = ClaimFactory()
    response = client_ed.post(reverse("claims:claim-source-attach", args=[claim.pk]),
                              {"url": "https://stats.example/table-4"})
    assert response.status_code == 302
    return claim, Source.objects.get(normalized_url__contains="stats.example")


def fetch_ends_after_the_first_read(monkeypatch, source, **outcome):
    """The worker writes the fetch's outcome right after the claim page first reads the
    claim's sources or evidence, before it reads anything else."""
    done = []
    for name in ("claim_sources", "claim_evidence"):
        original = getattr(selectors.claims, name)

        def read(claim, _original=original):
            rows = list(_original(claim))
            if not done:
                Source.objects.filter(pk=source.pk).update(**outcome)
                done.append(True)
            return rows

        monkeypatch.setattr(claim_views, name, read, raising=False)


# --- One moment of the fetch, everywhere on the page ----------------------------------------


def test_a_fetch_failing_while_the_page_is_read_is_not_shown_half_way(
    client_ed, attached, monkeypatch
):
    claim, source = attached
    fetch_ends_after_the_first_read(monkeypatch, source, status="failed",
                                    last_error_kind="http_4xx", last_error="404 Not Found.")
    page = client_ed.get(claim.get_absolute_url()).content.decode()
    # The page was read while the source waited: all three say so.
    assert banner(page) == "Source attached as context evidence; it is being fetched."
    assert row_status(page, source) == "Pending"
    assert evidence_state(page, source) == "· being fetched"
    assert "fetch failed" not in text(evidence_section(page))


def test_a_fetch_ending_while_the_page_is_read_is_not_shown_half_way(
    client_ed, attached, monkeypatch
):
    claim, source = attached
    fetch_ends_after_the_first_read(monkeypatch, source, status="fetched")
    page = client_ed.get(claim.get_absolute_url()).content.decode()
    assert banner(page) == "Source attached as context evidence; it is being fetched."
    assert row_status(page, source) == "Pending"
    assert evidence_state(page, source) == "· being fetched"


@pytest.mark.parametrize(("status", "row", "item", "says"), [
    ("pending", "Pending", "· being fetched", "it is being fetched."),
    ("fetching", "Fetching", "· being fetched", "it is being fetched."),
    ("failed", "Failed", "· fetch failed", "but it could not be fetched"),
    ("fetched", "Fetched", "", "and fetched."),
])
def test_banner_row_and_evidence_item_use_the_same_words(client_ed, attached, status, row,
                                                         item, says):
    claim, source = attached
    Source.objects.filter(pk=source.pk).update(status=status)
    page = client_ed.get(claim.get_absolute_url()).content.decode()
    assert row_status(page, source).startswith(row)
    assert evidence_state(page, source) == item
    assert says in banner(page)
    assert "not fetched yet" not in evidence_section(page)


def test_the_evidence_item_carries_its_words_for_the_live_updates(client_ed, attached):
    claim, source = attached
    page = client_ed.get(claim.get_absolute_url()).content.decode()
    item = re.search(rf'<span [^>]*data-evidence-source="{source.pk}"[^>]*>', page).group(0)
    assert 'data-text-waiting="· being fetched"' in item
    assert 'data-text-failed="· fetch failed"' in item


# --- Attaching says which evidence it creates ------------------------------------------------


def test_attach_form_offers_cite_it_as_context_by_default(client_ed):
    claim = ClaimFactory()
    page = client_ed.get(claim.get_absolute_url()).content.decode()
    form = page[page.index('aria-label="Attach a source"'):]
    form = form[:form.index("</form>")]
    assert ">Cite it as<" in form
    assert re.search(r'<option value="context" selected>Context</option>', form)
    assert "It is added to the evidence below" in text(form)


def test_attaching_as_refutes_creates_refuting_evidence_and_says_so(client_ed):
    claim = ClaimFactory()
    response = client_ed.post(reverse("claims:claim-source-attach", args=[claim.pk]),
                              {"url": "https://stats.example/table-4", "stance": "refutes"},
                              follow=True)
    assert Evidence.objects.get(claim=claim).stance == "refutes"
    page = response.content.decode()
    assert banner(page) == "Source attached as refuting evidence; it is being fetched."
    assert "Refutes" in text(evidence_section(page))


# --- "Add evidence" always adds, or refuses in words -----------------------------------------


def add_form_as_shown(page: str) -> dict:
    """What "Add evidence" sends when pressed as the page shows it."""
    form = page[page.index('id="add-evidence"'):]
    form = form[:form.index("</form>")]
    data = {}
    for name in ("stance",):
        select = re.search(rf'<select name="{name}".*?</select>', form, re.S).group(0)
        chosen = re.search(r'<option value="([^"]*)" selected', select)
        data[name] = chosen.group(1) if chosen else re.search(
            r'<option value="([^"]*)"', select).group(1)
    for name in ("note", "excerpt"):
        data[name] = html_lib.unescape(
            re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', form, re.S).group(1)
        ).lstrip("\n")
    return data


def test_add_evidence_pressed_as_shown_after_an_attach_adds_nothing_and_says_so(client_ed):
    cited = EvidenceFactory(stance="supports", note="Stored note", excerpt="Stored passage")
    page = client_ed.get(cited.claim.get_absolute_url()).content.decode()
    shown = add_form_as_shown(page)
    assert shown == {"stance": "context", "note": "", "excerpt": ""}
    response = client_ed.post(reverse("claims:claim-evidence-add", args=[cited.claim_id]),
                              shown, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    section = text(response.content.decode())
    assert "Nothing was added." in section and "Evidence added." not in section
    assert "Write a note: evidence that cites no source is its note." in section
    assert Evidence.objects.count() == 1


def test_added_evidence_leaves_the_form_empty_and_focuses_the_message(client_ed):
    claim = ClaimFactory()
    response = client_ed.post(reverse("claims:claim-evidence-add", args=[claim.pk]),
                              {"stance": "refutes", "note": "Talks broke down.",
                               "excerpt": "no new dates"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    section = response.content.decode()
    assert re.search(r'role="status" tabindex="-1" autofocus>Evidence added\.</div>', section)
    assert add_form_as_shown(section) == {"stance": "context", "note": "", "excerpt": ""}
    assert 'id="add-evidence" open' in section  # ready for the next piece
    assert Evidence.objects.get().note == "Talks broke down."


def test_added_evidence_without_javascript_redirects_to_the_new_item(client_ed):
    claim = ClaimFactory()
    response = client_ed.post(reverse("claims:claim-evidence-add", args=[claim.pk]),
                              {"stance": "context", "note": "Asked the ministry."})
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{claim.get_absolute_url()}#evidence-{evidence.pk}"
    page = client_ed.get(response["Location"]).content.decode()
    assert "Evidence added." in page and f'id="evidence-{evidence.pk}"' in page


# --- "Edit" says exactly what it changed -----------------------------------------------------


def edit(client, evidence, htmx=True, **values):
    prefix = f"evidence-{evidence.pk}-"
    data = {prefix + name: values.get(name, getattr(evidence, name))
            for name in ("stance", "note", "excerpt")}
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("claims:evidence-edit", args=[evidence.pk]), data, **extra)


def test_each_item_has_an_edit_fold_with_its_stored_values(client_ed):
    """The fold fetches its form when it first opens (htmx), or links to it on a page of
    its own: either way the stored stance, note and excerpt, posting where the fold did."""
    cited = EvidenceFactory(stance="supports", note="Stored note")
    page = client_ed.get(cited.claim.get_absolute_url()).content.decode()
    fold = page[page.index(f'id="edit-evidence-{cited.pk}"'):]
    fold = fold[:fold.index("</details>")]
    edit_url = reverse("claims:evidence-edit", args=[cited.pk])
    assert "<summary>Edit" in fold
    assert f'hx-get="{edit_url}" hx-trigger="toggle from:closest details once"' in fold
    assert f'<a href="{edit_url}">Open the edit form</a>' in fold
    assert f'name="evidence-{cited.pk}-note"' not in page  # no form until it is opened

    fetched = client_ed.get(edit_url, HTTP_HX_REQUEST="true")
    form = fetched.content.decode()
    assert fetched.status_code == 200 and "<html" not in form
    assert f'name="evidence-{cited.pk}-note"' in form and "Stored note" in form
    assert '<option value="supports" selected>' in form
    assert f'hx-post="{edit_url}" hx-target="#evidence"' in form

    own_page = client_ed.get(edit_url)
    html = own_page.content.decode()
    assert own_page.status_code == 200 and "<html" in html
    assert f'name="evidence-{cited.pk}-note"' in html and "Stored note" in html
    assert "hx-post" not in html[html.index("<main"):]  # a plain POST, then the claim page
    assert f'href="{cited.claim.get_absolute_url()}#evidence-{cited.pk}">Back to the claim' in html


def test_the_edit_form_page_saves_and_goes_back_to_the_claim(client_ed):
    """What a person without JavaScript does: open the form's page, change the stance,
    send the rest as rendered."""
    cited = EvidenceFactory(stance="supports", note="Stored note", excerpt="Table 2",
                            source__title="Labour")
    url = reverse("claims:evidence-edit", args=[cited.pk])
    html = client_ed.get(url).content.decode()
    sent = {name: html_lib.unescape(value) for name, value in re.findall(
        r'<textarea name="([^"]+)"[^>]*>\n?([^<]*)</textarea>', html)}
    assert set(sent) == {f"evidence-{cited.pk}-note", f"evidence-{cited.pk}-excerpt"}
    sent[f"evidence-{cited.pk}-stance"] = "refutes"
    response = client_ed.post(url, sent)
    assert response.status_code == 302 and response["Location"].endswith("#evidence")
    cited.refresh_from_db()
    assert (cited.stance, cited.note, cited.excerpt) == ("refutes", "Stored note", "Table 2")


def test_the_edit_form_is_refused_in_words_for_evidence_a_verdict_holds(client_ed):
    from claims.choices import VerdictState
    from tests.verdict_setup import make_roles, make_verdict

    verdict = make_verdict(VerdictState.SUBMITTED, author=make_roles()["editor_author"])
    held = verdict.evidence.get()
    url = reverse("claims:evidence-edit", args=[held.pk])
    for extra in ({"HTTP_HX_REQUEST": "true"}, {}):
        response = client_ed.get(url, **extra)
        assert response.status_code == 409
        body = text(response.content.decode())
        assert "waiting for review" in body and "cannot change now" in body
        assert f'name="evidence-{held.pk}-note"' not in response.content.decode()


def test_the_edit_form_needs_the_right_to_change_evidence(client, db):
    from tests.factories import UserFactory

    cited = EvidenceFactory()
    client.force_login(UserFactory())  # signed in, no editor's rights
    assert client.get(reverse("claims:evidence-edit", args=[cited.pk])).status_code == 403


def test_editing_a_citation_says_what_changed(client_ed):
    cited = EvidenceFactory(stance="context", note="", source__title="Labour statistics")
    response = edit(client_ed, cited, stance="refutes", note="Contradicts it")
    assert response.status_code == 200
    assert ("Citation of “Labour statistics” updated: stance and note."
            in text(response.content.decode()))
    assert Evidence.objects.count() == 1
    cited.refresh_from_db()
    assert (cited.stance, cited.note) == ("refutes", "Contradicts it")


def test_editing_with_nothing_changed_says_so(client_ed):
    cited = EvidenceFactory(stance="context", note="Same", source__title="Labour statistics")
    rows = Evidence.history.filter(id=cited.pk).count()
    response = edit(client_ed, cited)
    assert ("Nothing changed: the citation of “Labour statistics” already has this stance, "
            "note and excerpt.") in text(response.content.decode())
    assert Evidence.history.filter(id=cited.pk).count() == rows


def test_editing_without_javascript_redirects_with_the_message(client_ed):
    cited = EvidenceFactory(stance="context", note="", source__title="Labour statistics")
    response = edit(client_ed, cited, htmx=False, note="Contradicts it")
    assert response.status_code == 302
    assert response["Location"].endswith("#evidence")
    page = client_ed.get(response["Location"]).content.decode()
    assert "Citation of “Labour statistics” updated: note." in page


def test_an_edit_refused_is_said_in_its_open_fold(client_ed):
    note = EvidenceFactory(source=None, note="Asked the ministry.")
    response = edit(client_ed, note, htmx=False, note="")
    assert response.status_code == 400
    page = response.content.decode()
    fold = page[page.index(f'id="edit-evidence-{note.pk}"'):]
    fold = fold[:fold.index("</details>")]
    assert f'id="edit-evidence-{note.pk}" open' in page
    assert "Nothing was changed." in fold and "its note is all it says" in fold
    assert Evidence.objects.get(pk=note.pk).note == "Asked the ministry."


def test_every_field_id_on_the_claim_page_is_unique(client_ed):
    cited = EvidenceFactory(stance="supports", note="Stored note")
    page = client_ed.get(cited.claim.get_absolute_url()).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_no_edit_is_offered_for_evidence_a_verdict_holds_for_readers(client_ed):
    from claims.choices import VerdictState
    from tests.verdict_setup import make_roles, make_verdict

    users = make_roles()
    verdict = make_verdict(VerdictState.SUBMITTED, author=users["editor_author"])
    held = verdict.evidence.get()
    free = EvidenceFactory(claim=verdict.claim, source=None, note="Asked the ministry.")
    page = client_ed.get(verdict.claim.get_absolute_url()).content.decode()
    assert f'id="edit-evidence-{held.pk}"' not in page  # the service would refuse it
    assert f'id="edit-evidence-{free.pk}"' in page

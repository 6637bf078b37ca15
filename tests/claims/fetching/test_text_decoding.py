"""Text is never silently corrupted or lost: uploads and fetched pages are decoded by BOM,
declared charset, <meta>, UTF-8, then detection; binary is refused in words; deeply nested
HTML keeps its text; an empty extraction is a failure that says so, never an empty article
or a "successful" capture."""

from __future__ import annotations

import os
import random

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.choices import SourceStatus
from claims.fetching import pipeline
from claims.fetching.extract import ExtractionError, decode_text, extract, looks_binary
from claims.models import Article
from claims.services.articles import article_import_url
from claims.services.sources import source_attach
from tests.factories import ClaimFactory, EditorFactory, UserFactory
from tests.localserver import Response

WESTERN = "Café déjà vu, naïve façade. Le garçon a mangé une crème brûlée à l'hôtel."
SENTENCE = "The minister said unemployment fell by twelve per cent last year."


def deep_html(levels: int = 100_000) -> str:
    return ("<html><head><title>Deep page</title><style>p{}</style></head><body>"
            + "<div>" * levels + f"<p>{SENTENCE}</p><script>alert(1)</script>"
            + "</div>" * levels + "</body></html>")


def random_bytes(size: int, *, nul: bool) -> bytes:
    rng = random.Random(15)
    data = bytes(rng.randrange(256) for _ in range(size * 2))
    return (data if nul else data.replace(b"\x00", b""))[:size]


@pytest.fixture
def client_ed(client, db):
    user = UserFactory(username="uploads-editor")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


def upload(client, name: str, content: bytes, content_type: str = "text/plain"):
    return client.post(reverse("claims:article-add"), {
        "method": "upload", "upload-file": SimpleUploadedFile(name, content, content_type)})


# --- Encodings -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "encoding"), [
    ("Café déjà vu, naïve façade", "latin-1"),
    (WESTERN, "latin-1"),
    (WESTERN, "cp1252"),
    ("Der größte Bär aß süße Äpfel.", "latin-1"),
    ("Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.", "cp1250"),
    ("Съешь же ещё этих мягких французских булок, да выпей чаю.", "cp1251"),
    (WESTERN, "utf-8"),
    (WESTERN, "utf-8-sig"),
    (WESTERN, "utf-16"),
])
def test_undeclared_text_is_decoded_without_mojibake(text, encoding):
    decoded, _ = decode_text(text.encode(encoding))
    assert decoded == text


def test_a_bom_wins_and_a_wrong_declaration_is_not_trusted():
    assert decode_text(WESTERN.encode("utf-16"), "latin-1")[0] == WESTERN
    # Declared UTF-8 but the bytes are latin-1: detection, not replacement characters.
    assert decode_text(WESTERN.encode("latin-1"), "utf-8")[0] == WESTERN
    assert decode_text(WESTERN.encode("cp1251", "replace"), "not-a-charset")[1]
    assert decode_text(b"plain", "base64")[0] == "plain"  # not a text codec: ignored


def test_latin1_txt_upload_is_stored_as_written(client_ed):
    response = upload(client_ed, "cafe.txt", "Café déjà vu, naïve façade".encode("latin-1"))
    assert response.status_code == 302
    assert Article.objects.get().body == "Café déjà vu, naïve façade"


def test_declared_charset_of_an_upload_is_used(client_ed):
    body = "Съешь же ещё этих булок.".encode("koi8-r")
    response = upload(client_ed, "ru.txt", body, "text/plain; charset=koi8-r")
    assert response.status_code == 302
    assert Article.objects.get().body == "Съешь же ещё этих булок."


def test_html_upload_meta_charset_is_used(client_ed):
    html = (f"<html><head><meta charset='windows-1252'><title>Café</title></head><body>"
            f"<p>{WESTERN}</p></body></html>").encode("cp1252")
    response = upload(client_ed, "cafe.html", html, "text/html")
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.title == "Café" and WESTERN in article.body


# --- Binary ----------------------------------------------------------------------------------

@pytest.mark.parametrize("nul", [True, False], ids=["with-nul-bytes", "without-nul-bytes"])
def test_random_bytes_are_refused_as_not_text(client_ed, nul):
    response = upload(client_ed, "article.txt", random_bytes(20_000, nul=nul))
    assert response.status_code == 400
    assert "is not text:" in response.content.decode()
    assert not Article.objects.exists()


def test_a_binary_file_of_the_right_name_is_refused_in_words(client_ed):
    response = upload(client_ed, "photo.html", os.urandom(4096) + b"<html>", "text/html")
    assert response.status_code == 400
    assert "is not text:" in response.content.decode()


def test_text_with_a_few_control_characters_is_still_text():
    assert not looks_binary("A page\fwith a form feed and a tab\t, and one bell\x07 in a "
                            "paragraph of ordinary words that goes on for a while. " * 20)


@pytest.mark.parametrize("content_type", ["text/plain", "text/html; charset=utf-8"])
def test_fetched_text_that_is_binary_is_a_failure_in_words(content_type):
    with pytest.raises(ExtractionError) as exc:
        extract(random_bytes(5000, nul=False), content_type)
    assert exc.value.kind == "unsupported" and "binary data" in exc.value.message


# --- Deep HTML and empty extractions -----------------------------------------------------------

def test_deeply_nested_html_keeps_its_text():
    found = extract(deep_html().encode(), "text/html; charset=utf-8")
    assert found.title == "Deep page"
    assert SENTENCE in found.text
    assert "alert" not in found.text and "p{}" not in found.text


def test_deeply_nested_html_upload_keeps_its_text(client_ed):
    response = upload(client_ed, "deep.html", deep_html().encode(), "text/html")
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.title == "Deep page" and SENTENCE in article.body
    assert "alert" not in article.body


def test_html_upload_without_words_is_refused_in_words(client_ed):
    response = upload(client_ed, "empty.html",
                      b"<html><head><title>T</title></head><body><img src=a.png></body></html>",
                      "text/html")
    assert response.status_code == 400
    assert "no article text" in response.content.decode()


@pytest.fixture
def attach(db):
    claim, user = ClaimFactory(), EditorFactory()
    return lambda url: source_attach(claim=claim, url=url, user=user).source


@pytest.mark.django_db
def test_deeply_nested_page_fetched_as_a_source_is_captured_with_its_text(local_server,
                                                                          attach):
    source = attach(local_server.route("/deep", Response.html(deep_html())))
    assert pipeline.source_fetch(source_id=source.pk).status == SourceStatus.FETCHED
    capture = source.captures.get()
    assert SENTENCE in capture.text


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "content_type", "words"), [
    (b"<html><head><title>Only a title</title></head><body><img src=x.png></body></html>",
     "text/html", "holds no readable text"),
    (b"", "text/plain", "is empty"),
    (b"   \n  ", "text/plain; charset=utf-8", "is empty"),
])
def test_an_empty_extraction_is_a_failed_capture_that_says_so(local_server, attach, body,
                                                              content_type, words):
    source = attach(local_server.route("/empty", Response(body=body,
                                                          content_type=content_type)))
    assert pipeline.source_fetch(source_id=source.pk).status == SourceStatus.FAILED
    source.refresh_from_db()
    capture = source.captures.get()
    assert capture.status == "failed" and capture.error_kind == "extraction"
    assert words in capture.error_message and words in source.last_error
    assert capture.snapshot  # what the server sent is kept to look at


@pytest.mark.django_db
def test_an_article_imported_from_a_page_without_text_fails_in_words(local_server):
    url = local_server.route("/empty", Response.html(
        "<html><head><title>Only a title</title></head><body></body></html>"))
    article = article_import_url(url=url, user=None)
    assert pipeline.article_fetch(article_id=article.pk).status == "failed"
    article.refresh_from_db()
    assert article.body == "" and "holds no readable text" in article.fetch_error

"""A desk page never waits for the model to encode a whole table: past
FACTCHECK_ENCODE_LIMIT fact-checks without a vector it matches by words alone, and warm()
(run by import_factchecks and the feed worker) encodes them for the next request."""

from __future__ import annotations

import pytest

from claims.factchecks import dense
from claims.factchecks.features import embeddings_available
from claims.factchecks.matching import warm
from claims.models import FactCheck, FactCheckOrigin
from claims.selectors.factchecks import fact_check_matches

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not embeddings_available(), reason="needs the [embeddings] extra"),
]


def factcheck(url: str, claim: str) -> FactCheck:
    return FactCheck.objects.create(url=url, claim_reviewed=claim, publisher_name="Snopes",
                                    origin=FactCheckOrigin.FILE)


@pytest.fixture
def embeddings_on(fresh_matching, tmp_path):
    settings = fresh_matching
    settings.FACTCHECK_MATCHING_EMBEDDINGS = "on"
    settings.FACTCHECK_VECTORS_PATH = tmp_path / "vectors.npz"
    settings.FACTCHECK_ENCODE_LIMIT = 2
    return settings


def test_a_page_matches_by_words_until_the_vectors_exist(embeddings_on):
    for i in range(5):
        factcheck(f"https://checks.example/{i}", f"Claim number {i} about the harbour bridge")
    factcheck("https://checks.example/shark", "A shark swam on a flooded Houston freeway")

    found = fact_check_matches("shark swimming on a Houston freeway after the hurricane")
    assert found and found[0][0].url == "https://checks.example/shark"
    # Six texts lacked a vector, over the limit of two: nothing was encoded or saved.
    assert not embeddings_on.FACTCHECK_VECTORS_PATH.exists()
    assert not any("close in meaning" in reason for _, m in found for reason in m.reasons)

    warm()
    assert embeddings_on.FACTCHECK_VECTORS_PATH.exists()
    assert len(dense.VectorStore(embeddings_on.FACTCHECK_VECTORS_PATH).known) == 6

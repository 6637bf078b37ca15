"""Settings for the gunicorn that benchmarks/server_bench.py starts: the benchmark settings
(benchmarks/settings.py), with the stock-admin peer mounted beside the desk, so one server
answers both. benchmarks.peer_admin's URLconf serves the peer under /peer-admin/ and the
project's own URLconf (factcheck.urls) at the root, unchanged: every desk and API address
is the one the in-process measurement uses (only an unknown address differs: the
peer URLconf has no handler404, so /api/ 404s are HTML there; none is measured)."""

from benchmarks.settings import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.peer_admin"  # = benchmarks.pages.PEER_URLCONF

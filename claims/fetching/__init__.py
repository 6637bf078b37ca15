"""Every server-side fetch goes through this package, and nothing else.

    urls.py        normalise a URL (one Source per page), registrable domain
    guard.py       the network guard: which hosts, ports and addresses may be reached
    client.py      the HTTP client: pinned connections, redirects, deadlines, byte cap
    extract.py     HTML / PDF / plain text to text and metadata (no network), text_sha256
    snapshots.py   raw bodies in Django storage, content-addressed
    politeness.py  per-domain token bucket in Redis
    pipeline.py    the services the Celery tasks call: states, retries, sweeper, re-check
    facts.py       a capture's metadata as labelled facts for its page

Enqueueing a fetch goes through claims/queue.py, like every other enqueue of the desk.
"""

"""Claim assistance: which sentences of an article are worth checking, and which claims
the desk already logged say the same thing.

- `sentences`: split an article into sentences with exact offsets, skipping page furniture.
- `scoring`: a transparent, feature-based check-worthiness score with reasons in words.
- `similarity`: find existing claims that say the same thing (pg_trgm, a pure-Python
  n-gram fallback, or sentence embeddings when the optional `[embeddings]` extra is there).
- `services` / `selectors`: the writes and reads the views, tags, task and command call.
"""

"""Claim assistance: which sentences of an article are worth checking, and which claims
the desk already logged say the same thing.

- `sentences`: split an article into sentences with exact offsets, skipping page furniture.
- `scoring`: hand-made check-worthiness features with reasons in words (and the old
  hand-weighted score, kept as the baseline `make eval` measures the model against).
- `checkworthy`: the learned check-worthiness model (trained on ClaimBuster and CLEF-2019,
  shipped as plain JSON, rebuilt with `make train`); `ranking` ranks an article with it.
- `progress`: how far scoring an article has got, for the panel that follows it.
- `similarity`: find existing claims that say the same thing (pg_trgm, a pure-Python
  n-gram fallback, or sentence embeddings when the optional `[embeddings]` extra is there).
- `services` / `selectors`: the writes and reads the views, tags, task and command call.
"""

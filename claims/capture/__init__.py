"""Evidence capture: a source page kept as a standard web archive (WARC inside a WACZ), a
screenshot and a PDF, the site's certificates, a manifest of every file's SHA-256, and a
trusted RFC 3161 timestamp over the manifest.

Bytes in, bytes and dataclasses out: this package knows nothing of the models; the fetch
archive task stores what it returns (claims.archiving)."""

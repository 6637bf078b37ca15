"""`make bench`: the desk measured at 10k, 100k and 1M claims, side by side with a stock
Django admin changelist over the same data.

Modules:
    __main__   the driver: one child process per database and size, then the report
    datagen    realistic data, bulk-loaded (PostgreSQL COPY, SQLite executemany)
    pages      the measured requests (Django test Client, logged in as an editor)
    peer_admin the peer: a stock ModelAdmin on an AdminSite only the benchmark mounts
    report     Markdown table and JSON under benchmarks/results/
"""

"""`make loadtest`: 50 concurrent editors for 60 s against gunicorn, PostgreSQL, Redis and a
Celery worker on 127.0.0.1, then a reconciliation of every write the clients saw succeed."""

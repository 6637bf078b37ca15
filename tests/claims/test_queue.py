"""claims.queue, the one module that enqueues work: it sends tasks by their registered name
(it imports no task), so a renamed task must fail here, not in production."""

import pytest
from kombu import Connection

from claims import queue
from factcheck.celery import app


def test_every_task_the_queue_sends_is_registered_by_the_celery_app():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks
    assert queue.TASKS, "the queue names the tasks it sends"
    missing = [name for name in queue.TASKS if name not in app.tasks]
    assert not missing, f"claims.queue sends tasks no worker knows: {missing}"
    assert "claims.tasks.no_such_task" not in app.tasks


class FakeApp:
    def __init__(self):
        self.sent, self.transport_options = [], []

    def connection_for_write(self, transport_options):
        self.transport_options.append(transport_options)
        return Connection("memory://", transport_options=transport_options)

    def send_task(self, name, **options):
        self.sent.append((name, options))


@pytest.mark.parametrize("enqueue, name", [
    (queue.enqueue_source_fetch, queue.FETCH_SOURCE),
    (queue.enqueue_article_fetch, queue.FETCH_ARTICLE),
    (queue.enqueue_suggestions, queue.SUGGEST_ARTICLE_CLAIMS),
])
def test_enqueue_sends_by_name_with_no_result_one_retry_and_a_read_timeout(
    monkeypatch, settings, enqueue, name
):
    fake = FakeApp()
    monkeypatch.setattr(queue, "current_app", fake)
    assert enqueue(42) is True
    [(sent_name, options)] = fake.sent
    assert sent_name == name and options["args"] == [42]
    assert options["ignore_result"] is True
    assert options["retry"] is True and options["retry_policy"]["max_retries"] == 1
    assert fake.transport_options == [{"socket_timeout": settings.BROKER_CONNECT_TIMEOUT}]
    assert options["connection"].transport_options == {
        "socket_timeout": settings.BROKER_CONNECT_TIMEOUT}


def test_publishes_share_a_pooled_connection(monkeypatch):
    """A connection per publish cost about 5 ms of CPU an attached source: the second
    publish of a process takes the first one's connection from the pool."""
    fake = FakeApp()
    monkeypatch.setattr(queue, "current_app", fake)
    assert queue.enqueue_source_fetch(1) and queue.enqueue_source_fetch(2)
    first, second = (options["connection"] for _name, options in fake.sent)
    assert first is second


def test_a_broker_that_refuses_is_logged_not_raised(monkeypatch, caplog):
    fake = FakeApp()

    def refuse(name, **options):
        raise ConnectionError("broker down")

    fake.send_task = refuse
    monkeypatch.setattr(queue, "current_app", fake)
    assert queue.enqueue_source_fetch(7) is False
    assert "Could not enqueue the fetch of source 7" in caplog.text

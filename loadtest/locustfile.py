"""50 editors at work: browse the claims table with filters, open claims, attach sources,
write evidence notes and save verdict drafts. Every write the client saw succeed is logged
(JSON lines at LOADTEST_WRITES) so the run can be reconciled against the database."""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import uuid
from collections import Counter

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"]).read())
WRITES_PATH = os.environ["LOADTEST_WRITES"]
STATUS_PATH = os.environ["LOADTEST_STATUS"]
_lock = threading.Lock()
_status = Counter()
_users = iter(PLAN["users"])
LOCK_VERSION = re.compile(
    r'name="lock_version"[^>]*value="(\d*)"|value="(\d*)"[^>]*name="lock_version"')


def record(kind: str, **fields) -> None:
    with _lock, open(WRITES_PATH, "a") as f:
        f.write(json.dumps({"kind": kind, **fields}) + "\n")


TIMES_PATH = os.environ["LOADTEST_TIMES"]
_times = []


@events.request.add_listener
def count_status(response=None, exception=None, name="", response_time=0.0, **_):
    code = getattr(response, "status_code", None) or 0
    with _lock:
        _status[str(code)] += 1
        # Every request with its wall-clock time: the run reports the steady state (every
        # editor signed in) apart from the ramp.
        _times.append((time.time(), name, response_time, code))


@events.test_stop.add_listener
def write_status(**_):
    with open(STATUS_PATH, "w") as f:
        json.dump(dict(_status), f)
    with open(TIMES_PATH, "w") as f:
        json.dump(_times, f)


class Editor(FastHttpUser):
    """An editor. FastHttpUser (locust's geventhttpclient client) rather than HttpUser
    (requests): the load runs on the same two cores as the desk, and the requests-based
    client spent 2.3 ms of CPU a request that the desk's processes could not have."""

    wait_time = between(0.5, 2.0)

    def _csrf(self) -> str | None:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), None)

    def on_start(self):
        with _lock:
            self.user = next(_users)
        self.client.get("/login/", name="login page")
        token = self._csrf()
        response = self.client.post(
            "/login/",
            {"username": self.user["username"], "password": self.user["password"],
             "csrfmiddlewaretoken": token},
            name="log in", allow_redirects=False,
        )
        assert response.status_code == 302, f"login failed: {response.status_code}"

    def _post(self, url: str, data: dict, name: str):
        data = {**data, "csrfmiddlewaretoken": self._csrf()}
        with self.client.post(url, data, name=name, allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"{name}: HTTP {response.status_code}")
            return response

    @task(6)
    def browse_table(self):
        params = random.choice([
            "", "?status=researching", "?status=new",
            f"?claimant={random.choice(PLAN['claimants'])}",
            "?q=nato", "?q=libya+rebels", "?sort=-created_at", "?page=3",
        ])
        self.client.get(f"/claims/{params}", name="claims table")

    @task(4)
    def open_claim(self):
        self.client.get(f"/claims/{random.choice(PLAN['claims'])}/", name="claim page")

    @task(1)
    def dashboard(self):
        self.client.get("/", name="dashboard")

    @task(2)
    def attach_source(self):
        claim = random.choice(PLAN["claims"])
        url = f"{PLAN['source_base']}/report/{uuid.uuid4().hex}"
        attached = self._post(f"/claims/{claim}/sources/", {"url": url}, "attach source")
        if attached.status_code == 302:
            record("source", claim=claim, url=url)

    @task(2)
    def write_note(self):
        claim = random.choice(PLAN["claims"])
        note = f"Load note {uuid.uuid4().hex}: checked against the ministry's figures."
        response = self._post(f"/claims/{claim}/evidence/",
                              {"stance": "context", "note": note, "excerpt": ""}, "evidence note")
        if response.status_code == 302:
            record("evidence", claim=claim, note=note)

    @task(1)
    def save_verdict(self):
        claim = self.user["verdict_claim"]
        page = self.client.get(f"/claims/{claim}/", name="claim page")
        match = LOCK_VERSION.search(page.text)
        lock_version = (match.group(1) or match.group(2) or "") if match else ""
        summary = f"Draft {uuid.uuid4().hex[:12]}: the figure needs context."
        response = self._post(
            f"/claims/{claim}/verdict/",
            {"rating": PLAN["rating"], "summary": summary,
             "rationale": "The official data show a different trend.",
             "lock_version": lock_version},
            "save verdict",
        )
        if response.status_code == 302:
            record("verdict", claim=claim, summary=summary)

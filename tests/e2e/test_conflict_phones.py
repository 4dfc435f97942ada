from __future__ import annotations
import json
import requests
from server.accounts.service import create_user
from server.demo import load_master_data
from sync.provisioning import engineer_db_name
from sync.worker import Worker
from tests.factories import make_todo
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

PW = "correct horse battery"

def login(url, user):
    r = requests.post(url + "/api/v1/auth/login", json={"username": user, "password": PW}, timeout=10)
    r.raise_for_status()
    return r.json()["access_token"]

def test_probe(services):
    load_master_data(services)
    create_user(services.sessions, services.store, services.settings, "asha", PW, "engineer", team="South", territory="blr")
    db = engineer_db_name(services.settings.db_prefix, "asha")
    with LiveServer(services) as srv:
        tok = login(srv.url, "asha")
        with Phone(srv.url, tok) as a, Phone(srv.url, tok) as b:
            doc = make_todo("asha", customer_id="C-1001")
            a.call("put", db="me", doc=doc)
            a.call("push", db="me")
            Worker(services).run_until_idle()
            a.call("pull", db="me"); b.call("pull", db="me")
            print("receipt0", a.call("get", db="me", id="receipt:" + doc["_id"]))
            for p, dev, at, title in ((a, "phone-a", "2026-11-29T11:00:00+05:30", "A title"), (b, "phone-b", "2026-11-29T12:00:00+05:30", "B title")):
                d = p.call("get", db="me", id=doc["_id"])
                p.call("put", db="me", doc={**d, "title": title, "device_id": dev, "updated_at": at})
            print(a.call("push", db="me"), b.call("push", db="me"))
            print("processed", Worker(services).run_until_idle())
            print("store", json.dumps(services.store.open_revs(db, doc["_id"]), indent=1))
            a.call("pull", db="me"); b.call("pull", db="me")
            for p in (a, b):
                print("doc", p.call("get", db="me", id=doc["_id"], options={"conflicts": True}))
                print("receipt", p.call("get", db="me", id="receipt:" + doc["_id"]))
            print("processed2", Worker(services).run_until_idle())

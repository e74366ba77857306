"""The feed document's (reference 004) sync loop, ported as written: requests.post per page (no session),
an in-memory dict as the store, the cursor checkpointed to a state file after every page, 503 + Retry-After
slept out. Only BASE, API_KEY and STATE come from the command line, and it prints one JSON line of figures,
so bench/feed-deployed.ts can time it against applyflow on the same sandbox.

    python3 bench/reference_feed_loop.py <base-url> <api-key> <state-file>
"""
import json, sys, time, datetime as dt, pathlib
import requests

BASE = sys.argv[1].rstrip("/") + "/api/jobs"
API_KEY = sys.argv[2]
STATE = pathlib.Path(sys.argv[3])
OVERLAP = dt.timedelta(minutes=15)

t0 = time.perf_counter()
state = json.loads(STATE.read_text()) if STATE.exists() else {"last_run_at": None, "cursor": None}
this_run_at = dt.datetime.now(dt.timezone.utc).isoformat()
store = {}

def post(body):
    while True:
        r = requests.post(f"{BASE}/feed",
                          headers={"X-Api-Key": API_KEY, "Content-Type": "application/json"},
                          json=body)
        if r.status_code == 503:
            time.sleep(int(r.headers.get("Retry-After", "5"))); continue
        r.raise_for_status(); return r.json()

posted_after = None
if state["last_run_at"]:
    posted_after = (dt.datetime.fromisoformat(state["last_run_at"]) - OVERLAP).isoformat()

pages = 0
cursor = state.get("cursor")
while True:
    body = {"batch_size": 1000}
    if posted_after: body["posted_after"] = posted_after
    if cursor:       body["cursor"] = cursor
    data = post(body)
    pages += 1
    for job in data["jobs"]:
        store[job["id"]] = job
    cursor = data["next_cursor"]
    STATE.write_text(json.dumps({**state, "cursor": cursor}))
    if not data["has_more"]: break

STATE.write_text(json.dumps({"last_run_at": this_run_at, "cursor": None}))
print(json.dumps({"jobs": len(store), "pages": pages, "seconds": time.perf_counter() - t0}))

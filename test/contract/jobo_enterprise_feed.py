"""Pages a Jobo feed with Jobo's own published Python client (jobo-enterprise 4.0.0), so every job is
parsed by the client's pydantic models. Called by test/contract.jobo-enterprise.test.ts with the
scenarios as JSON on stdin; prints one JSON result per scenario on stdout. Any validation error fails
the scenario with the client's own message."""
import json
import sys
from datetime import datetime

from jobo_enterprise import JoboClient
from jobo_enterprise.models import LocationFilter


def when(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def feed(client, s):
    kwargs = dict(s.get("filters", {}))
    if "locations" in kwargs:
        kwargs["locations"] = [LocationFilter(**l) for l in kwargs["locations"]]
    for key in ("posted_after", "updated_after"):
        if key in kwargs:
            kwargs[key] = when(kwargs[key])
    batch = s.get("batch_size", 1000)
    first = client.feed.get_jobs(batch_size=batch, **kwargs)
    ids, pages, response = [], 1, first
    while True:
        ids.extend(str(j.id) for j in response.jobs)
        if not response.has_more or not response.next_cursor:
            break
        # As iter_jobs does: the cursor alone.
        response = client.feed.get_jobs(cursor=response.next_cursor)
        pages += 1
    return {"ids": ids, "pages": pages, "estimated_total": first.estimated_total}


def expired(client, s):
    ids = [str(i) for i in client.feed.iter_expired_job_ids(expired_since=when(s.get("expired_since")), batch_size=s.get("batch_size", 1000))]
    return {"ids": ids}


def main():
    base_url, api_key = sys.argv[1], sys.argv[2]
    scenarios = json.load(sys.stdin)
    out = []
    with JoboClient(api_key, base_url=base_url) as client:
        for s in scenarios:
            try:
                out.append({"name": s["name"], "ok": True, **(expired(client, s) if s["kind"] == "expired" else feed(client, s))})
            except Exception as e:  # the client's own validation or HTTP error, reported to the test
                out.append({"name": s["name"], "ok": False, "error": f"{type(e).__name__}: {str(e)[:2000]}"})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

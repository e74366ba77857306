"""Validates job objects with the published client's own model (jobo_enterprise.models.Job): reads a
JSON array on stdin, prints for each whether the model accepts it and, if so, the id and updated_at as the
model parsed them (UTC epoch milliseconds)."""
import json
import sys

from jobo_enterprise.models import Job
from pydantic import ValidationError

out = []
for raw in json.load(sys.stdin):
    try:
        job = Job.model_validate(raw)
        ts = job.updated_at
        if ts.tzinfo is None:  # naive: the API's timestamps are UTC
            from datetime import timezone
            ts = ts.replace(tzinfo=timezone.utc)
        out.append({"ok": True, "id": str(job.id), "updated_at_ms": round(ts.timestamp() * 1000)})
    except ValidationError as e:
        out.append({"ok": False, "error": str(e).splitlines()[0]})
json.dump(out, sys.stdout)

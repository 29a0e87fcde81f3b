"""Reads config files exactly as the AWS CLI does: botocore's raw_config_parse, then its
build_profile_map. Input on stdin: a JSON list of file contents. Output: a JSON list with, per
file, {"profiles": ..., "sso_sessions": ..., "services": ...} or {"error": "..."}.

One process reads a whole batch, so a differential test pays for Python's start-up once."""
import json
import os
import sys
import tempfile

from botocore.configloader import build_profile_map, raw_config_parse
from botocore.exceptions import BotoCoreError

results = []
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "config")
    for text in json.load(sys.stdin):
        # Bytes, so that Python's universal newlines see exactly the \r, \n and \r\n of the input.
        with open(path, "wb") as f:
            f.write(text.encode("utf-8", "surrogatepass"))
        try:
            parsed = build_profile_map(raw_config_parse(path))
            # botocore before 1.31 has no "services" map; a [services x] section is then just not a profile.
            results.append({k: parsed[k] for k in ("profiles", "sso_sessions", "services") if k in parsed})
        except (BotoCoreError, ValueError, UnicodeError) as e:
            results.append({"error": type(e).__name__ + ": " + str(e)})
json.dump(results, sys.stdout, ensure_ascii=False)

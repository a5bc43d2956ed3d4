"""Schemathesis hooks for the sandbox contract test (`scripts/contract-test`).

Two things a generated request cannot know by itself:

* `Idempotency-Key` must be fresh per request, or unrelated generated requests that happen to share
  a key get `422 idempotency_mismatch` and never reach the handler. A generated key that is valid
  by the contract is replaced by a UUID; invalid ones are sent as generated, so the server's
  refusal of them is still tested.
* `POST /v1/auth/sign-out` revokes the session it is called with. It gets a session of its own,
  signed in for that one call, so the shared token keeps working for every other operation.

The script passes the sandbox's URL and the demo credentials in the environment.
"""

import json
import os
import re
import urllib.request
import uuid

import schemathesis

SANDBOX_URL = os.environ["CONTRACT_SANDBOX_URL"]
SHARED_TOKEN = os.environ["CONTRACT_ACCESS_TOKEN"]
PHONE = os.environ["CONTRACT_PHONE"]
PASSWORD = os.environ["CONTRACT_PASSWORD"]
# The `IdempotencyKey` parameter's schema in api/openapi.yaml.
VALID_KEY = re.compile(r"[!-~]([ -~]*[!-~])?")


def _sign_in() -> str:
    request = urllib.request.Request(
        f"{SANDBOX_URL}/v1/auth/password",
        data=json.dumps({"phone": PHONE, "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = case.headers
    if headers is None:
        return
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and len(key) <= 128 and VALID_KEY.fullmatch(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    if case.operation.path == "/v1/auth/sign-out" and headers.get("Authorization") == f"Bearer {SHARED_TOKEN}":
        headers["Authorization"] = f"Bearer {_sign_in()}"

"""The ARM calls of backup discovery go through the Azure CLI as `az rest` takes them."""

from __future__ import annotations

import json
import sys

import pytest

from cutover.cloud import discovery

# A stand-in `az` on PATH that parses its arguments as `az rest` does (--method and --url are required,
# https://learn.microsoft.com/cli/azure/reference-index#az-rest) and answers from a file.
FAKE_AZ = """#!{python}
import argparse, json, pathlib, sys
parser = argparse.ArgumentParser(prog="az", exit_on_error=False)
parser.add_argument("command", choices=["rest"])
parser.add_argument("--method", "-m", required=True, choices=["get", "post", "put", "delete", "patch", "head"])
parser.add_argument("--url", "-u", required=True)
try:
    args = parser.parse_args()
except (argparse.ArgumentError, SystemExit) as exc:
    print(f"ERROR: the following arguments are required or invalid: {{exc}}", file=sys.stderr)
    sys.exit(2)
here = pathlib.Path(__file__).parent
with (here / "calls.jsonl").open("a") as calls:
    calls.write(json.dumps([args.method, args.url]) + "\\n")
if "denied" in args.url:
    print("ERROR: (AuthorizationFailed) The client does not have authorization", file=sys.stderr)
    sys.exit(1)
print((here / "answer.json").read_text())
"""


@pytest.fixture
def az(tmp_path, monkeypatch):
    script = tmp_path / "az"
    script.write_text(FAKE_AZ.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    return tmp_path


def test_az_rest_sends_the_method_and_url_and_returns_the_json_answer(az):
    (az / "answer.json").write_text(json.dumps({"value": [{"name": "StorageContainer;Storage;rg;st"}]}))
    url = "https://management.azure.com/subscriptions/s/providers/x?api-version=2024-10-01"
    assert discovery.az_rest("get", url) == {"value": [{"name": "StorageContainer;Storage;rg;st"}]}
    assert [json.loads(line) for line in (az / "calls.jsonl").read_text().splitlines()] == [["get", url]]


def test_az_rest_failure_says_what_azure_answered(az):
    (az / "answer.json").write_text("")
    with pytest.raises(discovery.DiscoveryError, match=r"az rest post failed: .*AuthorizationFailed"):
        discovery.az_rest("post", "https://management.azure.com/denied")
    assert discovery.az_rest("post", "https://management.azure.com/refreshContainers") == {}  # 202: no body

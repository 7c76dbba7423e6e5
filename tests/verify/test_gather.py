"""cutover.verify.gather on real PCs: each host's probe request reaches it as a host variable, read from
a source beside the cutover inventory (proven here with ansible-inventory; the probe itself needs PCs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cutover.verify import gather

HOSTS = ("P18-DT-001", "P13-DT-002")


def test_real_pcs_get_their_request_as_a_host_variable_beside_the_inventory(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(gather.ansible_runner, "run", lambda **kwargs: seen.update(kwargs))
    targets = [gather.Target(name=h, host=h, request={"services": [f"svc-{h}"], "security_center": True})
               for h in HOSTS]
    answers = gather.gather(targets, tmp_path / "runner")
    assert {a.status for a in answers.values()} == {"missing"}  # nothing ran: no answer is not a pass
    assert "extravars" not in seen or gather.REQUEST not in json.dumps(seen.get("extravars"))
    sources = seen["inventory"]
    assert isinstance(sources, list) and Path(sources[0]).name == "inventories"
    command = [str(Path(sys.executable).parent / "ansible-inventory"), *[a for s in sources for a in ("-i", s)]]
    for host in HOSTS:
        listed = subprocess.run([*command, "--host", host], env={**gather.environment(), "HOME": str(tmp_path)},
                                capture_output=True, text=True, check=True).stdout
        variables = json.loads(listed)
        assert variables[gather.REQUEST] == {"services": [f"svc-{host}"], "security_center": True}
        assert variables["ansible_connection"] == "psrp"  # the real inventory's settings are still there

"""Filters for awx/configure.yml: one AWX workflow per wave, built from the cutover inventory.

Each wave's workflow: sync the inventory → converge the wave's PCs (limit ``wave_<n>``) → a dry-run
``scan`` migration pass per site of the wave → an approval → the ``seed`` pass per site, executed
(``file_migration_execute: true``). Sites and waves come from the inventory itself, so a site added to
a wave joins its workflow the next time configure.yml runs.
"""

from __future__ import annotations

from cutover.inventory import load_inventory


def _job(identifier: str, template: str, organization: str, success: list[str], **prompts) -> dict:
    node = {"identifier": identifier,
            "unified_job_template": {"name": template, "type": "job_template", "organization": {"name": organization}},
            "related": {"success_nodes": [{"identifier": s} for s in success]}}
    node.update(prompts)
    return node


def wave_workflows(inventory_dir: str, organization: str, inventory: str, converge: str, migration: str,
                   inventory_source: str, approval_timeout: int = 0) -> list[dict]:
    data = load_inventory(inventory_dir)
    workflows = []
    for wave in data.organisation.waves:
        sites = [site.id for site in data.sites_in_wave(wave.number)]
        scans = [f"scan-{site}" for site in sites]
        seeds = [f"seed-{site}" for site in sites]
        nodes = [
            {"identifier": "inventory-sync",
             "unified_job_template": {"name": inventory_source, "type": "inventory_source",
                                      "inventory": {"organization": {"name": organization}}},
             "related": {"success_nodes": [{"identifier": "converge"}]}},
            _job("converge", converge, organization, scans, limit=f"wave_{wave.number}"),
        ]
        nodes += [_job(f"scan-{site}", migration, organization, ["approve-seed"],
                       extra_data={"file_migration_site": site, "file_migration_pass": "scan"}) for site in sites]
        nodes.append({"identifier": "approve-seed", "all_parents_must_converge": True,
                      "unified_job_template": {"name": f"wave {wave.number}: approve the seed pass",
                                               "type": "workflow_approval", "timeout": approval_timeout,
                                               "description": "Writes to the file shares of: " + ", ".join(sites)},
                      "related": {"success_nodes": [{"identifier": s} for s in seeds]}})
        nodes += [_job(f"seed-{site}", migration, organization, [],
                       extra_data={"file_migration_site": site, "file_migration_pass": "seed",
                                   "file_migration_execute": True}) for site in sites]
        workflows.append({"name": f"cutover – wave {wave.number} ({wave.name})", "organization": organization,
                          "inventory": inventory, "description": f"Wave {wave.number} starts {wave.start}",
                          "workflow_nodes": nodes, "destroy_current_nodes": True})
    return workflows


class FilterModule:
    def filters(self):
        return {"cutover_awx_wave_workflows": wave_workflows}

"""``cutover migration``: the exact robocopy command of each pass, and Azure Files name checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cutover import naming
from cutover.cli.common import (
    ExitCode,
    InventoryOpt,
    RunOpt,
    console,
    exit_with,
    fail,
    held,
    load,
    print_json,
    resolve_site,
    say,
)
from cutover.migration.names import check_path
from cutover.migration.robocopy import FLAG_REASONS, PASSES, RobocopyPlan, interpret_exit_code
from cutover.run_folders import REHEARSAL

RUN_PASSES = ("scan", "seed", "delta", "final", "verify", "rollback")  # the file_migration role's passes
migration_app = typer.Typer(help="Data migration from the data-center file servers.", no_args_is_help=True)


@migration_app.command("command")
def migration_command(
    site: Annotated[str, typer.Option("--site", help="Site.")],
    share: Annotated[str, typer.Option(help="Share name from site.yml.")],
    pass_name: Annotated[str, typer.Option("--pass", help="Which pass.", metavar="|".join(PASSES))] = "seed",
    execute: Annotated[bool, typer.Option(help="A real pass; without it the command is a dry run (/L).")] = False,
    log_dir: Annotated[str, typer.Option(help="Folder for the Unicode logs on the file server.", metavar="DIR")]
    = r"C:\cutover\logs",
    inventory: InventoryOpt = None,
) -> None:
    """Print the robocopy command line of one pass (dry run unless --execute), with each flag's reason."""
    inv = load(inventory)
    chosen = resolve_site(inv, site)
    spec = next((s for s in chosen.config.file_shares if s.name == share), None)
    if spec is None or not spec.legacy_unc:
        fail(f"{chosen.id} has no share {share!r} with a legacy_unc")
    if pass_name not in PASSES:
        fail(f"--pass must be one of {', '.join(PASSES)}")
    account = naming.storage_account(chosen.id, inv.organisation.azure_location, inv.organisation.mail_domain)
    plan = RobocopyPlan(source=spec.legacy_unc, target=rf"\\{account}.file.core.windows.net\{share}",
                        pass_name=pass_name, copy_security=chosen.config.identity_mode == "hybrid",
                        log_path=rf"{log_dir}\{chosen.id}-{share}-{pass_name}.log", dry_run=not execute)
    console.print(plan.command_line(), markup=False, highlight=False)
    for flag in plan.flags():
        key = flag.split(":")[0] if not flag.startswith("/COPY") else flag
        if key in FLAG_REASONS:
            console.print(f"  {flag}: {FLAG_REASONS[key]}", markup=False, highlight=False)
    if pass_name == "final":
        console.print("Before the final pass, set the source share read-only (see docs/runbook.md).",
                      highlight=False)


@migration_app.command("exit-code")
def migration_exit_code(code: int) -> None:
    """Explain a robocopy exit code (0-7 success, 8 and above failure); exit 1 on failure codes."""
    meaning = interpret_exit_code(code)
    say(f"{code}: {'success' if meaning.success else 'FAILURE'} — {meaning.summary}")
    if not meaning.success:
        exit_with(ExitCode.FINDINGS)


@migration_app.command("check-names")
def migration_check_names(
    listing: Annotated[Path, typer.Argument(help="UTF-8/UTF-16 file of relative paths, one per line "
                                                 "(e.g. from `dir /s /b` with the share prefix removed).",
                                            exists=True, dir_okay=False)],
    json_out: Annotated[bool, typer.Option("--json", help="Print findings as JSON.")] = False,
) -> None:
    """Find names Azure Files refuses (before the seed pass); exit 1 when there are findings."""
    raw = listing.read_bytes()
    try:
        text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{listing}: not UTF-8 or UTF-16 text ({exc.reason} at byte {exc.start}); save the listing as UTF-8")
    findings = [f for line in text.splitlines() if line.strip() for f in check_path(line.strip())]
    if json_out:
        print_json([f.__dict__ for f in findings])
    else:
        for f in findings:
            console.print(f"{f.kind}: {f.path} — {f.detail}", markup=False, highlight=False)
        say(f"{len(findings)} finding(s)")
    if findings:
        exit_with(ExitCode.FINDINGS)


@migration_app.command("run")
def migration_run(
    site: Annotated[str, typer.Option("--site", help="Site whose shares to migrate.")],
    pass_name: Annotated[str, typer.Option("--pass", help="Which pass.", metavar="|".join(RUN_PASSES))] = "scan",
    execute: Annotated[bool, typer.Option(help="Copy (and, for final, set the source read-only) for real.")]
    = False,
    out: RunOpt = REHEARSAL.root,
    twin: Annotated[Path | None, typer.Option(help=f"Use the twin file server in this fleet folder (e.g. "
                                                   f"{REHEARSAL.twin}).", metavar="DIR")] = None,
    inventory: InventoryOpt = None,
) -> None:
    """Run one pass of the file_migration role on the site's data-center file server (ansible-runner)."""
    from cutover.runner import run_playbook

    inv = load(inventory)
    chosen = resolve_site(inv, site)
    if pass_name not in RUN_PASSES:
        fail(f"--pass must be one of {', '.join(RUN_PASSES)}")
    twin_dir = (twin / chosen.id / "fileservers") if twin else None
    if twin_dir is not None and not twin_dir.is_dir():
        fail(f"no twin file server for {chosen.id} in {twin_dir} (build it first: cutover twin build --site "
             f"{chosen.id} --out {twin})")
    with held(out, *([twin] if twin else [])):
        outcome = run_playbook("file-migration.yml", "file_servers", out, twin_dir=twin_dir,
                               extravars={"file_migration_site": chosen.id, "file_migration_pass": pass_name,
                                          "file_migration_execute": execute},
                               inventory=Path(inv.root), name=f"file-migration-{chosen.id}-{pass_name}")
    say(f"{chosen.id} {pass_name}{'' if execute else ' (dry run)'}: {outcome.status}; "
        f"failed {sorted(outcome.failed)}, unreachable {sorted(outcome.unreachable)}")
    if outcome.failed or outcome.unreachable:
        exit_with(ExitCode.FINDINGS)

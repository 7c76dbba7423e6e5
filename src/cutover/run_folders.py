"""Where a run's files go: one folder per run, the same sub-folders for a rehearsal and a real wave.

``cutover rehearse --out DIR`` fills such a folder (cutover.rehearse); every command that reads or adds
to what a rehearsal wrote (twin, converge, migration run, verify, evidence collect, report, gate)
defaults to the sub-folder of the rehearsal's default folder, so ``cutover rehearse --site 18`` then
``cutover gate 18`` needs no option. A real wave is a run folder too (``--out build/live``,
.github/workflows/deploy-wave.yml).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunFolders:
    root: Path

    @property
    def plan(self) -> Path:
        """Offline plans, <stack>.json (or `pulumi stack export` files)."""
        return self.root / "plan"

    @property
    def twin(self) -> Path:
        """The endpoint twin fleet, <site>/<PC>.json and <site>/fileservers/."""
        return self.root / "twin"

    @property
    def runner(self) -> Path:
        """ansible-runner private data dirs, one per run (artifacts/*/job_events)."""
        return self.root / "runner"

    @property
    def facts(self) -> Path:
        """Ansible's jsonfile fact cache."""
        return self.root / "facts"

    @property
    def verify(self) -> Path:
        """cutover verify: <site>.xml (JUnit) and <site>.json."""
        return self.root / "verify"

    @property
    def evidence(self) -> Path:
        """<site>.json evidence files."""
        return self.root / "evidence"

    @property
    def evidence_previous(self) -> Path:
        """The run before's evidence (the report's drift view)."""
        return self.root / "evidence-previous"

    @property
    def report(self) -> Path:
        """index.html, one page per site, merged JSON, CSV, JUnit."""
        return self.root / "report"


# `cutover rehearse`'s folder when --out is not given: the default of every command that reads a run's files.
REHEARSAL = RunFolders(Path("build/rehearsal"))

"""Assemble one evidence file per site from every source, and write it atomically."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from cutover import __version__, atomic, impact
from cutover.evidence import provenance
from cutover.evidence.collectors import ansible, awx, inventory, junit, pulumi
from cutover.evidence.model import SCHEMA_VERSION, InputDigest, RunMetadata, SiteEvidence, SiteInfo
from cutover.inventory import Inventory, Site

_TOOLS = ("pulumi", "pulumi-azure-native", "pulumi-azuread", "ansible-core", "ansible", "pytest-testinfra")


@dataclass(frozen=True)
class Sources:
    plan_dir: Path | None = None  # offline plans or `pulumi stack export` files, <stack>.json
    runner_dir: Path | None = None  # ansible-runner private data dirs (artifacts/*/job_events)
    facts_dir: Path | None = None  # jsonfile fact cache
    junit: tuple[Path, ...] = ()
    awx_events_dir: Path | None = None  # AWX job events pages (/api/v2/jobs/<id>/job_events/), see docs/awx.md

    @cached_property
    def _folder_digests(self) -> tuple[InputDigest, ...]:
        return (provenance.digest("plan", self.plan_dir), provenance.digest("runner", self.runner_dir),
                provenance.digest("facts", self.facts_dir),
                *((provenance.digest("awx_events", self.awx_events_dir),) if self.awx_events_dir else ()))

    @cached_property
    def digests(self) -> tuple[InputDigest, ...]:
        """SHA-256 of every input (computed once per Sources: a national collection reads them 48 times)."""
        plan, runner, facts, *awx_events = self._folder_digests
        return (plan, runner, facts, *(provenance.digest("junit", p) for p in self.junit), *awx_events)

    @cached_property
    def runs(self) -> ansible.RunnerOutcome:
        """The Ansible runs (runner artefacts, then AWX job events), read once per Sources."""
        return awx.read_job_events(self.awx_events_dir, into=ansible.read_runner_artifacts(self.runner_dir))

    def with_junit(self, junit: tuple[Path, ...]) -> Sources:
        """The same sources with other JUnit files, sharing what was already read and digested (a wave's
        rehearsal collects every site from one runner folder and one fact cache)."""
        other = dataclasses.replace(self, junit=tuple(junit))
        for name in ("_folder_digests", "runs"):
            other.__dict__[name] = getattr(self, name)  # read (once) here, so every copy shares it
        return other


def tool_versions() -> dict[str, str]:
    versions = {}
    for name in _TOOLS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_metadata(inv: Inventory, as_of: dt.date, inputs: list[InputDigest]) -> RunMetadata:
    commit, dirty = provenance.git_state()
    return RunMetadata(
        generated_at=provenance.now(), as_of=as_of, tool_version=__version__, tool_versions=tool_versions(),
        git_commit=commit, git_dirty=dirty, ci=provenance.ci_run(), operator=provenance.operator(),
        host=provenance.hostname(), inventory_revision=inv.revision,
        inputs=[provenance.digest("inventory", Path(inv.root)), *inputs],
    )


def collect_site(inv: Inventory, site: Site, sources: Sources, as_of: dt.date | None = None) -> SiteEvidence:
    as_of = as_of or provenance.today()
    checks = pulumi.collect(site.id, sources.plan_dir, as_of, site.config.confirmations)
    checks += inventory.waivers(site, as_of)
    survey_checks, actions = inventory.survey(site)
    checks += survey_checks
    outcome = sources.runs
    endpoint_checks, endpoint_actions = ansible.collect(site, sources.runner_dir, sources.facts_dir, as_of, outcome)
    checks += endpoint_checks
    actions += endpoint_actions
    checks += junit.collect(site, list(sources.junit))
    actions += junit.actions(site, list(sources.junit))
    wave = inv.organisation.wave(site.wave)
    return SiteEvidence(
        run=run_metadata(inv, as_of, list(sources.digests)),
        site=SiteInfo(id=site.id, name_ja=site.config.name_ja, name_en=site.config.name_en, wave=site.wave,
                      wave_start=wave.start if wave else None, identity_mode=site.config.identity_mode,
                      endpoints=len(site.endpoints), addresses=len(site.mail)),
        checks=checks,
        actions=actions,
    )


def write(evidence: SiteEvidence, out: Path) -> Path:
    path = Path(out) / f"{evidence.site.id}.json"
    atomic.write_text(path, json.dumps(evidence.model_dump(mode="json"), ensure_ascii=False, indent=1))
    return path


class EvidenceFileError(ValueError):
    """An evidence file that cannot be read or does not match the schema; the message names the file."""


def _problems(exc: ValidationError, limit: int = 5) -> str:
    errors = exc.errors(include_url=False)
    shown = []
    for error in errors[:limit]:
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        shown.append(f"{where}: {error['msg']}")
    more = f"; … and {len(errors) - limit} more" if len(errors) > limit else ""
    return "; ".join(shown) + more


def load_file(path: Path) -> SiteEvidence:
    """One evidence file, validated; anything wrong is an EvidenceFileError naming the file (never a crash)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EvidenceFileError(f"{path}: cannot read the evidence file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors add one) is tolerated
    except UnicodeDecodeError as exc:
        raise EvidenceFileError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); evidence files are "
                                "UTF-8 JSON written by cutover evidence collect") from None
    try:
        return SiteEvidence.model_validate_json(text)
    except ValidationError as exc:
        raise EvidenceFileError(f"{path}: does not match the evidence schema {SCHEMA_VERSION}: "
                                f"{_problems(exc)}") from None


def require_known_checks(documents: dict[str, SiteEvidence], directory: Path) -> None:
    """Every check is one this version weighs (cutover.impact), or an EvidenceFileError naming the file and check.

    The report sorts and counts every check by its impact: evidence from a newer collector, or edited by
    hand, is bad input, not a crash.
    """
    for name, document in documents.items():
        for n, check in enumerate(document.checks):
            try:
                impact.impact_of(check.id)
            except impact.UnknownCheck:
                raise EvidenceFileError(
                    f"{Path(directory) / (name + '.json')}: checks[{n}].id: {check.id!r} is not a check this "
                    "version of cutover knows (no impact in cutover.impact); collect the evidence again with it"
                ) from None


def load_dir(directory: Path) -> list[SiteEvidence]:
    """Every ``<site>.json`` evidence file of a directory, validated against the schema.

    Raises EvidenceFileError naming the first file that cannot be read or validated, and when two files
    claim the same site.
    """
    loaded: dict[str, Path] = {}
    documents = []
    for path in sorted(Path(directory).glob("*.json")):
        document = load_file(path)
        if document.site.id in loaded:
            raise EvidenceFileError(f"{path}: site {document.site.id} is already in {loaded[document.site.id]}; "
                                    "keep one evidence file per site")
        loaded[document.site.id] = path
        documents.append(document)
    return documents


def load_named(directory: Path) -> dict[str, SiteEvidence]:
    """Every ``<site>.json`` evidence file by the site its name claims, as ``cutover gate`` reads it.

    A file holding another site's evidence stays under the name it has: the gate (and the report)
    then say it is not that site's evidence. Raises EvidenceFileError like :func:`load_file`.
    """
    return {path.stem: load_file(path) for path in sorted(Path(directory).glob("*.json"))}

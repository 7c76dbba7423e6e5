"""Mutation testing with mutmut (https://mutmut.readthedocs.io): do the tests notice when the code is wrong?

``scripts/mutation`` runs mutmut over the :data:`TARGETS` below and prints the share of mutants the
tests killed, per target; ``scripts/bench`` prints the total of the last run. Each target names the
files to mutate and the fast, in-process tests meant to kill their mutants (tests that run
ansible-playbook in a subprocess cannot: mutmut switches mutants inside the test process).
Not part of ``scripts/test``: a full run takes long (docs/testing.md says how long).

mutmut copies the code into ``mutants/`` of its working folder and runs pytest there; the run
happens in ``build/mutation/`` (links to the project's folders), so the project tree stays clean and
the results are kept between runs (mutmut re-tests only the functions that changed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cutover.bench import Bench, Measurement

ROOT = Path(__file__).resolve().parents[3]
WORK = ROOT / "build" / "mutation"
SCORE_FILE = WORK / "score.json"
SOURCE_PATHS = ("src", "roles")  # copied and walked by mutmut; TARGETS choose what is mutated
ALSO_COPY = ("inventories", "docs", "ansible", "ansible.cfg", "pulumi")  # what the selected tests read besides the code
LINKED = (*SOURCE_PATHS, "tests", *ALSO_COPY)


@dataclass(frozen=True)
class Target:
    name: str
    mutate: tuple[str, ...]  # globs relative to the project root (fnmatch: * crosses folders)
    tests: tuple[str, ...]  # test files or folders that must kill those mutants
    slow: tuple[str, ...] = ()  # test ids left out (each run loads the whole inventory: too slow per mutant)
    sample: int = 0  # > 0: test a fixed-seed random sample of this many mutants (too many to test all)


# One place for what is mutation-tested; add a Target to extend it (e.g. src/cutover/cloud/).
TARGETS: tuple[Target, ...] = (
    Target("gate", ("src/cutover/gate.py",), ("tests/test_gate.py",),
           slow=tuple(f"tests/test_gate.py::{t}" for t in (
               "test_gate_cli_exit_codes", "test_gate_cli_max_age_option",
               "test_renamed_two_year_old_evidence_of_another_site_is_no_go",
               "test_gate_cli_refuses_evidence_that_is_not_the_schema"))),
    Target("evidence collectors", ("src/cutover/evidence/*.py",),
           ("tests/evidence", "tests/report/test_evidence.py", "tests/test_gate.py")),
    Target("lifecycle", ("src/cutover/lifecycle.py",), ("tests/test_lifecycle.py",)),
    Target("survey import", ("src/cutover/survey/importer.py", "src/cutover/survey/answers.py"), ("tests/survey",)),
    Target("robocopy rules", ("src/cutover/migration/*.py",), ("tests/migration",)),
    Target("role filter plugins", ("roles/*/filter_plugins/*.py",), ("tests/roles",)),
    # ~5,900 mutants at 10-30 s each: a sample; its tests plan a representative set of sites (CUTOVER_CLOUD_FAST)
    Target("cloud", ("src/cutover/cloud/*",), ("tests/cloud",), sample=80),
)
SAMPLE_SEED = 2028
TEST_ENV = {"CUTOVER_CLOUD_FAST": "1"}  # read by tests/cloud/conftest.py only

KILLED = ("killed", "timeout")  # a mutant the tests stopped (a timeout is an endless loop they caught)
NOT_COUNTED = ("skipped", "not checked", "check was interrupted by user")


def _status(exit_code: int | None) -> str:
    from mutmut.stats import status_by_exit_code  # imported late: mutmut is a development tool

    return status_by_exit_code[exit_code]


def target_of(path: str, targets: tuple[Target, ...] = TARGETS) -> Target | None:
    return next((t for t in targets if any(fnmatch.fnmatch(path, g) for g in t.mutate)), None)


def _setup_cfg(targets: tuple[Target, ...]) -> str:
    tests = sorted({t for target in targets for t in target.tests})
    tests += [arg for test in sorted({t for target in targets for t in target.slow}) for arg in ("--deselect", test)]
    lines = ["[mutmut]", "source_paths =", *(f"    {p}" for p in SOURCE_PATHS),
             "only_mutate =", *(f"    {g}" for t in targets for g in t.mutate),
             "also_copy =", *(f"    {p}" for p in ALSO_COPY),
             "pytest_add_cli_args_test_selection =", *(f"    {t}" for t in tests),
             # plugin names role filter plugins by their dotted path (see mutation_names); no cache folder
             "pytest_add_cli_args =", "    -p", "    cutover.bench.mutation_names", "    -p", "    no:cacheprovider",
             "use_setproctitle = false", ""]
    return "\n".join(lines)


def prepare(targets: tuple[Target, ...] = TARGETS) -> None:
    """``build/mutation``: links to the project's folders, mutmut's configuration, fresh non-Python files."""
    WORK.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = WORK / name
        if not link.is_symlink():
            if link.exists():
                shutil.rmtree(link) if link.is_dir() else link.unlink()
            link.symlink_to(ROOT / name)
    shutil.copy2(ROOT / "pyproject.toml", WORK / "pyproject.toml")  # has no [tool.mutmut]: setup.cfg is read
    (WORK / "setup.cfg").write_text(_setup_cfg(targets), encoding="utf-8")
    for source in SOURCE_PATHS:  # mutmut refreshes .py files itself, never data files and templates
        for path in (ROOT / source).rglob("*"):
            copy = WORK / "mutants" / source / path.relative_to(ROOT / source)
            if path.is_file() and path.suffix != ".py" and copy.parent.exists() and "__pycache__" not in path.parts:
                shutil.copy2(path, copy)


def mutant_globs(target: Target) -> list[str]:
    """mutmut's names for the target's mutants: ``src/cutover/gate.py`` -> ``cutover.gate.*``."""
    return [g.removeprefix("src/").removesuffix(".py").replace("/", ".") + ".*" for g in target.mutate]


def run_mutmut(targets: tuple[Target, ...], jobs: int) -> int:
    """Test every mutant of ``targets`` again (named mutants are re-tested even when a result is kept).

    The configuration always lists every target, so running one target keeps the others' results. A
    target with ``sample`` has its mutants generated first and a fixed-seed sample of them tested.
    """
    prepare(TARGETS)
    env = {**os.environ, **TEST_ENV, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "PYTHONDONTWRITEBYTECODE": "1"}
    mutmut = Path(sys.executable).parent / "mutmut"
    names = [glob for target in targets if not target.sample for glob in mutant_globs(target)]
    sampled = [target for target in targets if target.sample]
    if sampled:  # generate every mutant without testing one, then pick the sample by name
        subprocess.run([str(mutmut), "run", "no-such-mutant"], cwd=WORK, env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for target in sampled:
            names += sample_names(target, all_mutant_names())
    if not names:
        return 0
    return subprocess.run([str(mutmut), "run", "--max-children", str(jobs), *names], cwd=WORK, env=env,
                          check=False).returncode


def all_mutant_names() -> list[str]:
    """Every generated mutant's name, from mutmut's result files."""
    return sorted(key for meta in (WORK / "mutants").rglob("*.py.meta")
                  for key in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])


def sample_names(target: Target, names: list[str]) -> list[str]:
    """A fixed-seed random sample of the target's mutants (the same sample on every run of one code)."""
    import random

    mine = [n for n in names if any(fnmatch.fnmatch(n, g) for g in mutant_globs(target))]
    return mine if len(mine) <= target.sample else sorted(random.Random(SAMPLE_SEED).sample(mine, target.sample))


def scores(targets: tuple[Target, ...] = TARGETS) -> dict[str, dict[str, int]]:
    """Counts per target and status from mutmut's result files (``mutants/<file>.meta``)."""
    out: dict[str, dict[str, int]] = {t.name: {} for t in targets}
    for meta in sorted((WORK / "mutants").rglob("*.py.meta")):
        path = meta.relative_to(WORK / "mutants").as_posix().removesuffix(".meta")
        target = target_of(path, targets)
        if target is None:
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for code in codes.values():
            status = _status(code)
            out[target.name][status] = out[target.name].get(status, 0) + 1
    return out


def score(counts: dict[str, int]) -> float | None:
    """Killed share of the mutants that were tested (None: nothing tested)."""
    tested = sum(n for status, n in counts.items() if status not in NOT_COUNTED)
    return None if not tested else sum(counts.get(s, 0) for s in KILLED) / tested


def survivors(targets: tuple[Target, ...] = TARGETS) -> list[str]:
    found = []
    for meta in sorted((WORK / "mutants").rglob("*.py.meta")):
        path = meta.relative_to(WORK / "mutants").as_posix().removesuffix(".meta")
        if target_of(path, targets) is None:
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        found += [key for key, code in codes.items() if _status(code) in ("survived", "no tests", "suspicious")]
    return found


def print_scores(counts: dict[str, dict[str, int]], out=sys.stdout) -> None:
    total: dict[str, int] = {}
    print(f"{'target':<22} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} {'no tests':>8} {'score':>7}",
          file=out)
    for name, c in [*counts.items(), ("TOTAL", total)]:
        if name != "TOTAL":
            for status, n in c.items():
                total[status] = total.get(status, 0) + n
        value = score(c)
        print(f"{name:<22} {sum(c.values()):>7} {c.get('killed', 0):>7} {c.get('timeout', 0):>7} "
              f"{c.get('survived', 0):>8} {c.get('no tests', 0):>8} "
              f"{'—' if value is None else f'{100 * value:.1f} %':>7}", file=out)


def _git_head() -> str | None:
    result = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            check=False)
    return result.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="target names (default: all): " +
                        ", ".join(t.name for t in TARGETS))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel mutants (default: cores)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results and test every mutant")
    parser.add_argument("--report", action="store_true", help="print the last run's scores without running")
    parser.add_argument("--survivors", action="store_true", help="also list surviving mutants (mutmut show NAME)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.targets if n not in {t.name for t in TARGETS}]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(t.name for t in TARGETS)}")
    chosen = tuple(t for t in TARGETS if not args.targets or t.name in args.targets)
    seconds = None
    if not args.report:
        if args.fresh:
            shutil.rmtree(WORK / "mutants", ignore_errors=True)
        start = time.monotonic()
        rc = run_mutmut(chosen, args.jobs)
        seconds = round(time.monotonic() - start)
        if rc != 0:
            print(f"mutmut stopped with exit code {rc}: no score", file=sys.stderr)
            return 2
    counts = scores(chosen)
    print_scores(counts)
    if seconds is not None:
        print(f"run took {seconds // 60} min {seconds % 60} s with {args.jobs} parallel mutant(s)")
        all_counts = scores()
        SCORE_FILE.write_text(json.dumps({
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "commit": _git_head(),
            "seconds": seconds, "jobs": args.jobs, "targets": all_counts}, indent=1), encoding="utf-8")
    if args.survivors:
        print("\nsurviving mutants (see one with: cd build/mutation && ../../.venv/bin/mutmut show NAME):")
        for name in survivors(chosen):
            print(f"  {name}")
    return 0


def _bench_total() -> Measurement:
    """The total of the last full run (build/mutation/score.json), running one if there is none."""
    if not SCORE_FILE.exists() and main([]) != 0:
        raise RuntimeError("mutation run failed")
    doc = json.loads(SCORE_FILE.read_text(encoding="utf-8"))
    total: dict[str, int] = {}
    for counts in doc["targets"].values():
        for status, n in counts.items():
            total[status] = total.get(status, 0) + n
    value = score(total)
    print(f"  mutation score from the run of {doc['finished']} on commit {doc['commit']} "
          f"(HEAD now {_git_head()}; scripts/mutation re-runs)", file=sys.stderr)
    return Measurement({"mutants": sum(total.values()), "killed %": round(100 * (value or 0), 1),
                        "run minutes": round(doc["seconds"] / 60, 1)})


BENCHES = [Bench("mutation score (mutmut; scripts/mutation)", ">= 80 % killed", _bench_total, repeat=1)]


if __name__ == "__main__":
    sys.exit(main())

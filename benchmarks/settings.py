"""Settings: what reading campaign.toml costs a quick command, in its own process.

A command whose campaign.toml was checked before reads the kept settings back without checking
(campaign/workspace/settings_cache.py); one whose kept copy is gone checks the file in full. Both are
timed side by side, alternating, next to a bare `python -c pass`, for `portrait list --json` and a cold
`campaign render ID` of one 1600x2000 portrait. `--against TREE` also runs the same commands with
another source tree (e.g. the code before a change, unpacked with `git archive REV | tar -x -C TREE`)
on the same workspace, alternating with this one, so the two can be compared under the same load.
`--busy` runs it all with one busy-loop process beside (a machine where something else takes a core).
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import load

ROOT = Path(__file__).resolve().parent.parent
RUNS = 11


def _env(tree: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    env["XDG_CACHE_HOME"] = str(cache)
    return env


def _once(cmd: list[str], env: dict[str, str], before=None) -> float:
    """One run of `cmd`; the renders of a `render` are removed first, so that it renders."""
    if before:
        before()
    if "render" in cmd:
        shutil.rmtree(Path(cmd[cmd.index("-w") + 1]) / "renders", ignore_errors=True)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=env["PYTHONPATH"])
    return time.perf_counter() - t


def _workspace(tmp: Path) -> tuple[Path, str]:
    from PIL import Image

    py = sys.executable
    env = _env(ROOT, tmp / "cache")
    ws = tmp / "ws"
    subprocess.run([py, "-m", "campaign", "init", str(ws)], check=True, capture_output=True, env=env)
    photo = tmp / "photo.jpg"
    Image.new("RGB", (1600, 2000), (120, 90, 60)).save(photo, quality=90)
    subprocess.run([py, "-m", "campaign", "-w", str(ws), "portrait", "add", str(photo), "--first-name", "Anna",
                    "--age", "40", "--role", "Pflegerin", "--quote", "Wir halten zusammen.", "--id", "anna-40"],
                   check=True, capture_output=True, env=env)
    for args in (["consent", "grant", "anna-40", "--scope", "instagram,facebook", "--signed-on", "2026-01-01"],
                 ["portrait", "approve", "anna-40"]):
        subprocess.run([py, "-m", "campaign", "-w", str(ws), *args], check=True, capture_output=True, env=env)
    return ws, "anna-40"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    trees = {"this tree": ROOT}
    if "--against" in argv:
        import compileall

        other = Path(argv[argv.index("--against") + 1]).resolve()
        compileall.compile_dir(other, quiet=1)
        trees["--against"] = other
    busy = "--busy" in argv
    with load.busy(busy):
        _measure(trees, busy)


def _measure(trees: dict[str, Path], busy: bool) -> None:
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ws, pid = _workspace(tmp)
        commands = {"portrait list --json": ["-w", str(ws), "portrait", "list", "--json"],
                    "cold render ID": ["-w", str(ws), "render", pid]}
        caches = {label: tmp / f"cache-{i}" for i, label in enumerate(trees)}
        times: dict[tuple[str, str, str], list[float]] = {}
        base = []
        for i in range(RUNS):
            base.append(_once([py, "-c", "pass"], _env(ROOT, tmp / "cache")))
            for label, tree in (list(trees.items())[::1 if i % 2 else -1]):
                env = _env(tree, caches[label])
                for what, args in commands.items():
                    def forget(cache=caches[label]):  # the kept settings only, not the font caches
                        for kept in cache.glob("campaign/settings-*.json"):
                            kept.unlink()
                    _once([py, "-m", "campaign", *args], env)  # checks the file once and keeps it (if kept)
                    times.setdefault((label, what, "read back"), []).append(
                        _once([py, "-m", "campaign", *args], env))
                    times.setdefault((label, what, "checked"), []).append(
                        _once([py, "-m", "campaign", *args], env, before=forget))
        print(f"Reading campaign.toml in a cold command{' (one busy-loop process beside)' if busy else ''}, "
              f"median of {RUNS} alternating runs "
              f"(python -c pass {statistics.median(base) * 1000:.0f} ms); load average {os.getloadavg()[0]:.1f}:")
        for (label, what, how), values in times.items():
            print(f"  {label:10} {what:22} {how:10} {statistics.median(values) * 1000:6.0f} ms")
        for label in trees:
            for what in commands:
                kept = statistics.median(times[(label, what, "read back")])
                full = statistics.median(times[(label, what, "checked")])
                print(f"  {label}: {what} read back / checked in full: {kept / full:.2f}x")
        if len(trees) == 2:
            for what in commands:
                ours = statistics.median(times[("this tree", what, "read back")])
                theirs = statistics.median(times[("--against", what, "read back")])
                print(f"  {what}, read back: this tree / --against {ours / theirs:.2f}x "
                      f"({ours * 1000:.0f} ms vs {theirs * 1000:.0f} ms)")


if __name__ == "__main__":
    main()

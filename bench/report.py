"""Write a benchmark's figures into its own section of docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shlex
import sys
from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Each section is written by the script it names, which replaces only its own "
    "section. Figures are medians and ratios from one run; absolute times vary "
    "between runs on shared machines.\n"
)


def machine_summary() -> str:
    """Describe the machine: processor model, core count, memory and Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def write_section(name: str, body: str, command: str | None = None) -> Path:
    """Replace the section `name` of docs/benchmarks.md with new figures.

    Args:
        name: Section title, also its marker; one per benchmark script.
        body: Markdown with the figures.
        command: Command that produced them; the running one by default.

    Returns:
        The path of the report.
    """
    command = command or " ".join(shlex.quote(arg) for arg in ["python", *sys.argv])
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- begin {name} -->\n## {name}\n\n"
        f"- Command: `{command}`\n- Machine: {machine_summary()}\n- Date: {today}\n\n"
        f"{body.strip()}\n<!-- end {name} -->\n"
    )
    text = REPORT.read_text() if REPORT.exists() else HEADER
    pattern = re.compile(
        rf"<!-- begin {re.escape(name)} -->.*?<!-- end {re.escape(name)} -->\n",
        re.DOTALL,
    )
    if pattern.search(text):
        text = pattern.sub(lambda _match: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    return REPORT

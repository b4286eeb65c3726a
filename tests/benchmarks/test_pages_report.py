"""Tests of the page load benchmark's verdict: the target applies to the LCP."""

from __future__ import annotations

from bench.pages import PageLoad, PageUnderTest, meets_target, render

NAN = float("nan")


def _load(lcp_ms: float, shown_ms: float = 500) -> PageLoad:
    return PageLoad(
        shown_ms=shown_ms,
        state_ms=400,
        lcp_ms=lcp_ms,
        ttfb_ms=10,
        http_bytes=300_000,
        state_bytes=9_000,
        requests=30,
    )


def test_target_judges_median_lcp():
    """Test that the median LCP decides, not the time until the books are shown."""
    fast_books_slow_paint = [_load(1200, shown_ms=600) for _ in range(5)]
    mixed = [_load(700), _load(800), _load(900), _load(1100), _load(1300)]

    assert not meets_target(fast_books_slow_paint)
    assert meets_target(mixed)


def test_target_missed_without_lcp():
    """Test that a load without an LCP entry fails the row, whatever the median."""
    loads = [_load(600), _load(650), _load(NAN), _load(700), _load(620)]

    assert not meets_target(loads)


def test_report_rows_state_lcp_verdict():
    """Test that each row shows its median LCP and the verdict against it."""
    pages = [PageUnderTest("home", "/", "a")]
    results = {
        "home": {
            "cold": [_load(1200, shown_ms=600) for _ in range(3)],
            "warm": [_load(650), _load(NAN), _load(700)],
        }
    }

    report = render(results, pages, 3, "Setup line.")

    cold, warm = (line for line in report.splitlines() if line.startswith("| home"))
    assert cold.startswith("| home `/` | cold | 1200 | 600 |")
    assert cold.endswith("| no |")
    assert warm.startswith("| home `/` | warm | 675 |")
    assert warm.endswith("| no (no LCP in 1 loads) |")
    assert "median LCP (largest contentful paint) under 1000 ms" in report

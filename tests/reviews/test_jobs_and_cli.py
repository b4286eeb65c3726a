"""Background jobs of the app and the recommendations and wishlist commands."""

from __future__ import annotations

import threading
import time

from sqlmodel import select

from sky_readers.cli.main import main
from sky_readers.core import periodic
from sky_readers.outbox.models import OutboxEmail
from sky_readers.recommendations.models import BookNeighbour, GoodbooksRating
from sky_readers.recommendations.schedule import recommendations_job
from sky_readers.wishlist import services as wishlist
from sky_readers.wishlist.schedule import restock_job
from tests.catalog.builders import add_book, add_category
from tests.reviews.helpers import add_user


def _reflex_lifespan_host():
    # The lifespan part of rx.App; a second rx.App in one process is not allowed.
    from reflex.app_mixins.lifespan import LifespanMixin

    return LifespanMixin()


def test_job_runs_until_stopped_and_survives_errors(caplog):
    runs: list[float] = []

    def flaky():
        runs.append(time.monotonic())
        if len(runs) == 1:
            raise RuntimeError("first run fails")

    job = periodic.PeriodicJob("flaky", flaky, interval_seconds=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=job.loop, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 5
    while len(runs) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=5)

    assert len(runs) >= 3
    assert not thread.is_alive()
    assert "Job flaky failed" in caplog.text
    assert "first run fails" in caplog.text


async def test_job_lifespan_starts_and_stops_thread():
    started = threading.Event()
    job = periodic.PeriodicJob("lifespan-check", started.set, interval_seconds=60)

    async with periodic.job_lifespan(job)():
        assert started.wait(timeout=5)

    assert not [t for t in threading.enumerate() if t.name == "job-lifespan-check"]


def test_register_job_switched_off_by_zero_interval():
    app = _reflex_lifespan_host()
    off = periodic.PeriodicJob("off", lambda: None, interval_seconds=0)
    on = periodic.PeriodicJob("on", lambda: None, interval_seconds=10)

    assert periodic.register_job(app, off) is False
    assert periodic.register_job(app, on) is True
    assert len(app.get_lifespan_tasks()) == 1


def test_app_jobs_follow_settings(monkeypatch):
    from sky_readers.core.settings import get_settings

    monkeypatch.setattr(get_settings(), "recommendations_rebuild_seconds", 7200.0)
    monkeypatch.setattr(get_settings(), "restock_sweep_seconds", 30.0)

    assert recommendations_job().interval_seconds == 300.0
    assert restock_job().interval_seconds == 30.0


def test_cli_import_ratings_and_build(engine, session, tmp_path, capsys):
    fantasy = add_category(session, "Fantasy")
    first = add_book(session, "First", categories=[fantasy], goodbooks_id=1)
    add_book(session, "Second", categories=[fantasy], goodbooks_id=2)
    session.commit()
    path = tmp_path / "ratings.csv"
    path.write_text("user_id,book_id,rating\n1,1,5\n1,2,5\n2,1,4\n2,2,4\n")

    assert main(["recommendations", "import-ratings", str(path)]) == 0
    assert "imported: 4" in capsys.readouterr().out
    assert main(["recommendations", "build"]) == 0
    assert "2 neighbours from ratings" in capsys.readouterr().out

    assert len(session.exec(select(GoodbooksRating)).all()) == 4
    rows = session.exec(
        select(BookNeighbour).where(BookNeighbour.book_id == first.id)
    ).all()
    assert [(row.rank, row.source) for row in rows] == [(1, "ratings")]


def test_cli_import_ratings_missing_file(engine, tmp_path, capsys):
    assert main(["recommendations", "import-ratings", str(tmp_path / "x.csv")]) == 1
    assert "ratings file not found" in capsys.readouterr().err


def test_cli_notify_restocked(engine, session, capsys):
    book = add_book(session, "Awaited", stock_on_hand=0)
    ada = add_user(session, "Ada")
    wishlist.add_to_wishlist(session, user_id=ada.id, book_id=book.id)
    session.commit()
    book.stock_on_hand = 2
    session.commit()

    assert main(["wishlist", "notify-restocked"]) == 0

    assert "1 back in stock, 1 mails queued" in capsys.readouterr().out
    mails = session.exec(select(OutboxEmail)).all()
    assert [mail.to_address for mail in mails] == [ada.email]

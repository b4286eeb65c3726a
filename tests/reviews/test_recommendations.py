"""Recommendations: similarity, ratings import, the build, and the read side."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest
from sqlmodel import Session, select

from sky_readers.catalog.models import Category
from sky_readers.core.errors import SkyReadersError
from sky_readers.orders.models import OrderStatus
from sky_readers.recommendations import build, queries, ratings_import, schedule
from sky_readers.recommendations.models import (
    BookNeighbour,
    GoodbooksRating,
    RecommendationBuild,
)
from sky_readers.recommendations.similarity import item_neighbours, score_books
from sky_readers.reviews import services as reviews
from sky_readers.wishlist import services as wishlist
from tests.catalog.builders import add_book, add_category
from tests.reviews.helpers import add_order, add_user

# ------------------------------------------------------------------ similarity


def test_item_neighbours_formula():
    # Books 1 and 2 share three readers; book 1 has 4 likes, book 2 has 3.
    likes = [("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 1), ("c", 2), ("d", 1)]

    result = item_neighbours(likes, min_common=2, shrink=2.0)

    expected = 3 / math.sqrt(4 * 3) * 3 / (3 + 2.0)
    assert result[1] == [(2, pytest.approx(expected))]
    assert result[2] == [(1, pytest.approx(expected))]


def test_item_neighbours_needs_common_readers():
    likes = [("a", 1), ("a", 2), ("b", 1), ("b", 3), ("c", 1), ("c", 3)]

    result = item_neighbours(likes, min_common=2)

    assert [book for book, _score in result[1]] == [3]
    assert 2 not in result


def test_item_neighbours_counts_repeated_like_once():
    once = item_neighbours([("a", 1), ("a", 2), ("b", 1), ("b", 2)], shrink=0)
    twice = item_neighbours(
        [("a", 1), ("a", 1), ("a", 2), ("b", 1), ("b", 2), ("b", 2)], shrink=0
    )

    assert once == twice
    assert once[1] == [(2, pytest.approx(1.0))]


def test_item_neighbours_orders_and_caps():
    likes = [(reader, 1) for reader in "abcdef"]
    likes += [(reader, 2) for reader in "abcdef"]
    likes += [(reader, 3) for reader in "abc"]
    likes += [(reader, 4) for reader in "abc"]

    result = item_neighbours(likes, per_book=2, shrink=0)

    assert [book for book, _ in result[1]] == [2, 3]
    assert [book for book, _ in result[3]] == [4, 1]


def test_item_neighbours_empty():
    assert item_neighbours([]) == {}


def test_score_books_adds_similarities():
    neighbours = {1: [(3, 0.5), (4, 0.2)], 2: [(3, 0.25), (5, 0.9), (1, 0.9)]}

    ranked = score_books([1, 2], neighbours, exclude={1, 2})

    assert ranked == [(5, 0.9), (3, 0.75), (4, 0.2)]


# -------------------------------------------------------------- ratings import


def _ratings_file(folder: Path, lines: list[str]) -> Path:
    path = folder / "ratings.csv"
    path.write_text("user_id,book_id,rating\n" + "\n".join(lines), encoding="utf-8")
    return path


def test_import_ratings_skips_bad_rows(session, tmp_path):
    add_book(session, "Goodbooks 7", goodbooks_id=7)
    session.commit()
    path = _ratings_file(
        tmp_path, ["1,7,5", "1,8,4", "x,7,3", "2,7,9", "2,7,0", "3,7,", "2,8,2"]
    )

    report = ratings_import.import_ratings(session, path)
    session.commit()

    assert report.read == 7
    assert report.imported == 3
    assert report.skipped == {"invalid id": 1, "rating not 1 to 5": 3}
    assert report.books == 2
    assert report.books_in_store == 1
    stored = session.exec(select(GoodbooksRating)).all()
    assert sorted((r.user_id, r.book_id, r.rating) for r in stored) == [
        (1, 7, 5),
        (1, 8, 4),
        (2, 8, 2),
    ]


def test_import_ratings_again_updates(session, tmp_path):
    ratings_import.import_ratings(session, _ratings_file(tmp_path, ["1,7,5", "1,8,4"]))
    session.commit()

    again = ratings_import.import_ratings(
        session, _ratings_file(tmp_path, ["1,7,2", "1,7,3", "1,8,4"])
    )
    session.commit()

    assert again.imported == 2
    stored = session.exec(select(GoodbooksRating)).all()
    assert sorted((r.book_id, r.rating) for r in stored) == [(7, 3), (8, 4)]


def test_import_ratings_missing_file_or_column(session, tmp_path):
    with pytest.raises(SkyReadersError, match="ratings file not found"):
        ratings_import.import_ratings(session, tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("user,book_id,rating\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SkyReadersError, match="missing column user_id"):
        ratings_import.import_ratings(session, bad)


def test_import_real_sample(session, data_dir):
    path = data_dir / "goodbooks-10k" / "ratings_sample.csv"

    report = ratings_import.import_ratings(session, path)
    session.commit()

    assert report.read == 10_259
    assert report.imported == 10_259
    assert report.books == 2_541


# ------------------------------------------------------------------------ build


def _shelf(session):
    """Five fantasy books and one crime book, three of them in the goodbooks data."""
    fantasy = add_category(session, "Fantasy")
    crime = add_category(session, "Crime")
    books = {
        name: add_book(
            session,
            name,
            categories=[fantasy],
            rating_count=count,
            goodbooks_id=goodbooks_id,
        )
        for name, count, goodbooks_id in [
            ("Alpha", 500, 101),
            ("Beta", 400, 102),
            ("Gamma", 300, 103),
            ("Delta", 200, None),
            ("Epsilon", 100, None),
        ]
    }
    books["Zeta"] = add_book(session, "Zeta", categories=[crime], rating_count=900)
    session.flush()
    return books


def _rate(session, rows: list[tuple[int, int, int]]) -> None:
    for user_id, goodbooks_id, stars in rows:
        session.add(
            GoodbooksRating(user_id=user_id, book_id=goodbooks_id, rating=stars)
        )


def test_gather_likes_from_all_sources(session):
    books = _shelf(session)
    _rate(session, [(1, 101, 5), (1, 102, 3), (2, 999, 5)])
    ada = add_user(session, "Ada")
    bob = add_user(session, "Bob")
    add_order(session, ada, [books["Delta"], books["Gamma"]], OrderStatus.PAID)
    add_order(session, bob, [books["Zeta"]], OrderStatus.CANCELLED)
    reviews.create_review(session, user_id=ada.id, book_id=books["Gamma"].id, rating=2)
    reviews.create_review(session, user_id=bob.id, book_id=books["Beta"].id, rating=4)
    session.commit()

    likes = set(build.gather_likes(session))

    assert likes == {
        (("goodbooks", 1), books["Alpha"].id),
        (("shopper", ada.id), books["Delta"].id),
        (("shopper", bob.id), books["Beta"].id),
    }


def test_build_stores_rating_and_category_neighbours(engine, session):
    books = _shelf(session)
    # Three readers like Alpha and Beta together; two like Alpha and Gamma.
    _rate(
        session,
        [(u, 101, 5) for u in (1, 2, 3, 4)]
        + [(u, 102, 4) for u in (1, 2, 3)]
        + [(u, 103, 5) for u in (3, 4)],
    )
    session.commit()

    report = build.build_recommendations(engine)

    assert report.readers == 4
    assert report.rating_neighbours == 4
    similar = queries.similar_books(session, books["Alpha"].id)
    assert [s.book.title for s in similar[:2]] == ["Beta", "Gamma"]
    assert [s.source for s in similar[:2]] == ["ratings", "ratings"]
    # Filled with the most rated fantasy books that are not there yet.
    assert [s.book.title for s in similar[2:]] == ["Delta", "Epsilon"]
    assert {s.source for s in similar[2:]} == {"category"}
    zeta = queries.similar_books(session, books["Zeta"].id)
    assert zeta == []
    builds = session.exec(select(RecommendationBuild)).all()
    assert len(builds) == 1
    assert builds[0].seconds > 0


def test_build_replaces_previous_rows(engine, session):
    books = _shelf(session)
    _rate(session, [(u, 101, 5) for u in (1, 2)] + [(u, 102, 5) for u in (1, 2)])
    session.commit()
    build.build_recommendations(engine)

    for rating in session.exec(select(GoodbooksRating)).all():
        session.delete(rating)
    session.commit()
    build.build_recommendations(engine)

    session.expire_all()
    sources = {row.source for row in session.exec(select(BookNeighbour)).all()}
    assert sources == {"category"}
    first = queries.similar_books(session, books["Alpha"].id)
    assert [s.book.title for s in first] == ["Beta", "Gamma", "Delta", "Epsilon"]


def test_similar_books_skip_archived_and_fill_new_book(engine, session):
    books = _shelf(session)
    session.commit()
    build.build_recommendations(engine)
    books["Beta"].is_archived = True
    fantasy = session.exec(select(Category).where(Category.name == "Fantasy")).one()
    newcomer = add_book(session, "Newcomer", categories=[fantasy], rating_count=50)
    session.commit()

    alpha = queries.similar_books(session, books["Alpha"].id)
    fresh = queries.similar_books(session, newcomer.id)

    assert "Beta" not in [s.book.title for s in alpha]
    assert [s.book.title for s in fresh] == ["Alpha", "Gamma", "Delta", "Epsilon"]


def test_recommended_for_shopper_with_history(engine, session):
    books = _shelf(session)
    _rate(
        session,
        [(u, 101, 5) for u in (1, 2, 3)] + [(u, 102, 5) for u in (1, 2, 3)],
    )
    ada = add_user(session, "Ada")
    add_order(session, ada, [books["Alpha"]], OrderStatus.DELIVERED)
    newbie = add_user(session, "Newbie")
    session.commit()
    build.build_recommendations(engine)

    picks = queries.recommended_for(session, ada.id)

    assert picks[0].title == "Beta"
    assert "Alpha" not in [book.title for book in picks]
    assert queries.recommended_for(session, newbie.id) == []


def test_recommended_for_excludes_reviewed_and_wished(engine, session):
    books = _shelf(session)
    _rate(
        session,
        [(u, 101, 5) for u in (1, 2, 3)]
        + [(u, 102, 5) for u in (1, 2, 3)]
        + [(u, 103, 5) for u in (1, 2)],
    )
    ada = add_user(session, "Ada")
    reviews.create_review(session, user_id=ada.id, book_id=books["Alpha"].id, rating=5)
    reviews.create_review(session, user_id=ada.id, book_id=books["Beta"].id, rating=1)
    wishlist.add_to_wishlist(session, user_id=ada.id, book_id=books["Delta"].id)
    session.commit()
    build.build_recommendations(engine)

    titles = [book.title for book in queries.recommended_for(session, ada.id)]

    assert titles[0] == "Gamma"
    assert not {"Alpha", "Beta", "Delta"} & set(titles)


def test_build_if_due_waits_for_interval(engine, session, monkeypatch):
    _shelf(session)
    session.commit()
    monkeypatch.setattr(
        schedule.get_settings(), "recommendations_rebuild_seconds", 3600.0
    )

    first = schedule.build_if_due(engine)
    second = schedule.build_if_due(engine)
    monkeypatch.setattr(schedule.get_settings(), "recommendations_rebuild_seconds", 0.0)
    third = schedule.build_if_due(engine)

    assert first is not None
    assert second is None
    assert third is not None
    assert len(session.exec(select(RecommendationBuild)).all()) == 2


def test_readers_see_whole_lists_during_builds(engine, session):
    # Given a built shelf whose best-rated book always has four neighbours,
    books = _shelf(session)
    _rate(session, [(u, 101, 5) for u in (1, 2)] + [(u, 102, 5) for u in (1, 2)])
    session.commit()
    build.build_recommendations(engine)
    alpha = books["Alpha"].id
    stop = threading.Event()
    errors: list[BaseException] = []

    def rebuild():
        try:
            while not stop.is_set():
                build.build_recommendations(engine)
        except BaseException as exc:  # noqa: BLE001 (reported by the assert below)
            errors.append(exc)

    # when builds run without pause in another thread,
    worker = threading.Thread(target=rebuild)
    worker.start()
    try:
        lengths = []
        for _ in range(40):
            with Session(engine) as reader:
                lengths.append(len(queries.similar_books(reader, alpha)))
    finally:
        stop.set()
        worker.join(timeout=60)

    # then every read gets the full list, never a table emptied halfway.
    assert errors == []
    assert set(lengths) == {4}

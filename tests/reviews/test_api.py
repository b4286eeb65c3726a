"""REST routes of reviews, wishlists, recommendations and review moderation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from sky_readers.accounts.models import Role
from sky_readers.accounts.tokens import issue_access_token
from sky_readers.api.app import create_api
from sky_readers.cart.models import CartItem
from sky_readers.orders.models import OrderStatus
from sky_readers.recommendations.build import build_recommendations
from sky_readers.recommendations.models import GoodbooksRating
from tests.catalog.builders import add_book, add_category
from tests.reviews.helpers import add_order, add_user


@pytest.fixture
def client(engine):
    """A client of a fresh API app that reads the test database."""
    with TestClient(create_api()) as test_client:
        yield test_client


def _auth(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_access_token(user.id).token}"}


@pytest.fixture
def shop(session):
    """A rated book, a second one, two shoppers (one has bought the book), an admin."""
    fantasy = add_category(session, "Fantasy")
    book = add_book(
        session,
        "The Reviewed",
        categories=[fantasy],
        average_rating="4.00",
        rating_count=100,
        stock_on_hand=5,
        goodbooks_id=11,
    )
    other = add_book(
        session, "The Other", categories=[fantasy], stock_on_hand=2, goodbooks_id=12
    )
    ada = add_user(session, "Ada")
    bob = add_user(session, "Bob")
    admin = add_user(session, "Admin", role=Role.ADMIN)
    add_order(session, ada, [book], OrderStatus.PAID)
    session.commit()
    return {"book": book, "other": other, "ada": ada, "bob": bob, "admin": admin}


def _review(client, shop, user="ada", **body):
    payload = {"rating": 5, "title": "Loved it", "body": "<b>Really</b> good"} | body
    return client.post(
        f"/api/books/{shop['book'].id}/reviews", json=payload, headers=_auth(shop[user])
    )


def test_create_review_returns_badge_and_text(client, shop):
    response = _review(client, shop)

    assert response.status_code == 201
    body = response.json()
    assert body["verified_purchase"] is True
    assert body["body"] == "<b>Really</b> good"
    assert body["hidden"] is False
    assert "user_id" not in body


def test_create_review_needs_login(client, shop):
    response = client.post(f"/api/books/{shop['book'].id}/reviews", json={"rating": 4})

    assert response.status_code == 401


def test_create_review_twice_conflict(client, shop):
    assert _review(client, shop).status_code == 201

    second = _review(client, shop, rating=3)

    assert second.status_code == 409
    assert "already reviewed" in second.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"rating": True}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"rating": 4.0}, "rating"),
        ({}, "rating"),
        ({"rating": 4, "title": "t" * 121}, "title"),
        ({"rating": 4, "body": "b" * 5001}, "body"),
    ],
)
def test_create_review_bad_input_names_field(client, shop, payload, field):
    response = client.post(
        f"/api/books/{shop['book'].id}/reviews",
        json=payload,
        headers=_auth(shop["bob"]),
    )

    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_create_review_unknown_book(client, shop):
    response = client.post(
        "/api/books/987654/reviews", json={"rating": 4}, headers=_auth(shop["bob"])
    )

    assert response.status_code == 404


def test_list_reviews_with_rating(client, shop):
    _review(client, shop, rating=5)
    _review(client, shop, user="bob", rating=1, title="")

    response = client.get(f"/api/books/{shop['book'].id}/reviews?sort=lowest")

    assert response.status_code == 200
    body = response.json()
    assert [item["author_name"] for item in body["items"]] == ["Bob", "Ada"]
    assert body["total"] == 2
    rating = body["rating"]
    assert rating["imported"] == {"average": 4.0, "count": 100}
    assert rating["reviews"]["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1}
    # (20 * 4 + 6) / 22 = 3.909...
    assert rating["average"] == 3.91
    assert rating["count"] == 102


def test_list_reviews_bad_sort(client, shop):
    response = client.get(f"/api/books/{shop['book'].id}/reviews?sort=best")

    assert response.status_code == 422
    assert "sort" in response.json()["errors"]


def test_own_review_edit_and_delete(client, shop):
    _review(client, shop)
    url = f"/api/books/{shop['book'].id}/reviews/mine"

    edited = client.put(
        url, json={"rating": 2, "body": "Less so"}, headers=_auth(shop["ada"])
    )
    mine = client.get(url, headers=_auth(shop["ada"]))
    deleted = client.delete(url, headers=_auth(shop["ada"]))
    gone = client.get(url, headers=_auth(shop["ada"]))

    assert edited.status_code == 200
    assert edited.json()["rating"] == 2
    assert mine.json()["body"] == "Less so"
    assert deleted.status_code == 204
    assert gone.status_code == 404
    rating = client.get(f"/api/books/{shop['book'].id}/rating").json()
    assert (rating["average"], rating["count"]) == (4.0, 100)


def test_mark_helpful_once(client, shop):
    review_id = _review(client, shop).json()["id"]
    url = f"/api/reviews/{review_id}/helpful"

    first = client.post(url, headers=_auth(shop["bob"]))
    second = client.post(url, headers=_auth(shop["bob"]))
    own = client.post(url, headers=_auth(shop["ada"]))

    assert first.json() == {"review_id": review_id, "helpful_count": 1}
    assert second.status_code == 409
    assert own.status_code == 422


def test_admin_hides_review(client, shop):
    review_id = _review(client, shop, rating=1).json()["id"]
    url = f"/api/admin/reviews/{review_id}/hide"

    as_shopper = client.post(url, json={"reason": "x"}, headers=_auth(shop["bob"]))
    empty = client.post(url, json={"reason": " "}, headers=_auth(shop["admin"]))
    hidden = client.post(url, json={"reason": "Spoilers"}, headers=_auth(shop["admin"]))

    assert as_shopper.status_code == 403
    assert empty.status_code == 422
    assert "reason" in empty.json()["errors"]
    assert hidden.status_code == 200
    assert hidden.json()["hidden_reason"] == "Spoilers"
    assert hidden.json()["book_title"] == "The Reviewed"
    listing = client.get(f"/api/books/{shop['book'].id}/reviews").json()
    assert listing["items"] == []
    assert listing["rating"]["average"] == 4.0
    mine = client.get(
        f"/api/books/{shop['book'].id}/reviews/mine", headers=_auth(shop["ada"])
    ).json()
    assert mine["hidden_reason"] == "Spoilers"
    admin_list = client.get(
        "/api/admin/reviews?status=hidden", headers=_auth(shop["admin"])
    ).json()
    assert [item["id"] for item in admin_list["items"]] == [review_id]
    assert admin_list["counts"] == {"all": 1, "visible": 0, "hidden": 1}
    shown = client.post(
        f"/api/admin/reviews/{review_id}/show", headers=_auth(shop["admin"])
    )
    assert shown.json()["hidden"] is False


def test_admin_reviews_need_admin(client, shop):
    assert client.get("/api/admin/reviews").status_code == 401
    assert (
        client.get("/api/admin/reviews", headers=_auth(shop["bob"])).status_code == 403
    )


def test_wishlist_add_list_move_remove(client, shop, session):
    headers = _auth(shop["bob"])
    book_id = shop["other"].id

    added = client.put(f"/api/wishlist/{book_id}", headers=headers)
    again = client.put(f"/api/wishlist/{book_id}", headers=headers)
    listing = client.get("/api/wishlist", headers=headers)
    quiet = client.patch(
        f"/api/wishlist/{book_id}", json={"notify_restock": False}, headers=headers
    )
    moved = client.post(f"/api/wishlist/{book_id}/move-to-cart", headers=headers)
    after = client.get("/api/wishlist", headers=headers)
    missing = client.delete(f"/api/wishlist/{book_id}", headers=headers)

    assert added.status_code == 201
    assert again.status_code == 200
    assert again.json()["changed"] is False
    [entry] = listing.json()
    assert entry["book"]["title"] == "The Other"
    assert entry["notify_restock"] is True
    assert quiet.status_code == 200
    assert moved.json() == {"book_id": book_id, "changed": True}
    assert after.json() == []
    assert missing.status_code == 404
    lines = session.exec(select(CartItem)).all()
    assert [line.book_id for line in lines] == [book_id]


def test_wishlist_needs_login_and_store_book(client, shop):
    assert client.get("/api/wishlist").status_code == 401
    response = client.put("/api/wishlist/123456", headers=_auth(shop["bob"]))
    assert response.status_code == 404


def test_move_sold_out_book_rejected(client, shop, session):
    shop["other"].stock_on_hand = 0
    session.commit()
    headers = _auth(shop["bob"])
    client.put(f"/api/wishlist/{shop['other'].id}", headers=headers)

    response = client.post(
        f"/api/wishlist/{shop['other'].id}/move-to-cart", headers=headers
    )

    assert response.status_code == 422
    assert "sold out" in response.json()["errors"]["book"]


def test_book_details_include_rating_and_similar(client, shop, session, engine):
    for user in (1, 2):
        for goodbooks_id in (11, 12):
            session.add(GoodbooksRating(user_id=user, book_id=goodbooks_id, rating=5))
    session.commit()
    build_recommendations(engine)
    _review(client, shop, rating=5)

    body = client.get(f"/api/books/{shop['book'].id}").json()

    assert body["title"] == "The Reviewed"
    assert body["average_rating"] == body["rating"]["average"] == 4.05
    assert body["rating"]["reviews"]["count"] == 1
    assert [item["title"] for item in body["similar"]] == ["The Other"]
    assert body["similar"][0]["reason"] == "ratings"
    assert body["similar"][0]["cover_url"].startswith("http")


def test_recommendations_personal_or_popular(client, shop, session, engine):
    for user in (1, 2):
        for goodbooks_id in (11, 12):
            session.add(GoodbooksRating(user_id=user, book_id=goodbooks_id, rating=5))
    session.commit()
    build_recommendations(engine)

    personal = client.get("/api/recommendations", headers=_auth(shop["ada"])).json()
    popular = client.get("/api/recommendations").json()

    assert personal["source"] == "personal"
    assert [book["title"] for book in personal["books"]] == ["The Other"]
    assert popular["source"] == "popular"
    assert popular["books"][0]["title"] == "The Reviewed"


def test_book_details_list_at_most_ten_similar(client, session):
    crime = add_category(session, "Crime")
    books = [
        add_book(session, f"Case {n:02d}", categories=[crime], rating_count=100 + n)
        for n in range(14)
    ]
    session.commit()

    body = client.get(f"/api/books/{books[0].id}").json()

    titles = [item["title"] for item in body["similar"]]
    assert len(titles) == 10
    assert "Case 00" not in titles
    assert titles[0] == "Case 13"
    assert {item["reason"] for item in body["similar"]} == {"category"}

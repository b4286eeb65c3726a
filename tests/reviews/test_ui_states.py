"""Page states of reviews, the wishlist, recommendations and review moderation."""

from __future__ import annotations

import pytest
from reflex.istate.data import RouterData
from sqlmodel import select

from sky_readers.accounts import sessions
from sky_readers.accounts.models import Role
from sky_readers.cart.models import CartItem
from sky_readers.core.settings import get_settings
from sky_readers.orders.models import OrderStatus
from sky_readers.recommendations.build import build_recommendations
from sky_readers.recommendations.models import GoodbooksRating
from sky_readers.reviews import services as reviews
from sky_readers.reviews.models import Review
from sky_readers.ui.states.admin_reviews import AdminReviewsState
from sky_readers.ui.states.recommendations import RecommendedState, SimilarBooksState
from sky_readers.ui.states.reviews import ReviewsState
from sky_readers.ui.states.wishlist import WishlistState
from tests.catalog.builders import add_book, add_category
from tests.reviews.helpers import add_order, add_user


def _with_request(state, path: str, cookie: str = ""):
    headers = {"origin": "http://127.0.0.1:3000"}
    if cookie:
        headers["cookie"] = f"{get_settings().session_cookie_name}={cookie}"
    state.router = RouterData.from_router_data({"headers": headers, "asPath": path})
    return state


def _redirect_target(spec) -> str:
    assert spec is not None
    assert spec.handler.fn.__qualname__ == "_redirect"
    args = {name._js_expr: value for name, value in spec.args}
    return args["path"]._var_value


def _login(session, user) -> str:
    new = sessions.create_session(session, user)
    session.commit()
    return new.session_id


@pytest.fixture
def shop(session):
    """A book with an imported rating, bought by Ada; Bob; an admin; their cookies."""
    fantasy = add_category(session, "Fantasy")
    book = add_book(
        session,
        "Stateful",
        categories=[fantasy],
        average_rating="4.00",
        rating_count=10,
        stock_on_hand=3,
        goodbooks_id=21,
    )
    other = add_book(
        session, "Companion", categories=[fantasy], stock_on_hand=1, goodbooks_id=22
    )
    ada = add_user(session, "Ada")
    bob = add_user(session, "Bob")
    admin = add_user(session, "Admin", role=Role.ADMIN)
    add_order(session, ada, [book], OrderStatus.SHIPPED)
    session.commit()
    return {
        "book": book,
        "other": other,
        "ada": ada,
        "bob": bob,
        "admin": admin,
        "ada_cookie": _login(session, ada),
        "bob_cookie": _login(session, bob),
        "admin_cookie": _login(session, admin),
    }


def _reviews_state(shop, cookie_key: str | None = None) -> ReviewsState:
    cookie = shop[cookie_key] if cookie_key else ""
    state = _with_request(ReviewsState(), f"/books/{shop['book'].id}", cookie)
    state.load()
    return state


def test_reviews_load_anonymous(shop):
    state = _reviews_state(shop)

    assert state.loaded
    assert state.logged_in is False
    assert state.average == "4.00"
    assert state.count_label == "10"
    assert state.imported_label == "4.00 from 10 imported ratings"
    assert state.reviews_label == "0.00 from 0 store reviews"
    assert [bar.stars for bar in state.bars] == [5, 4, 3, 2, 1]


def test_submit_without_rating_shows_error(shop, session):
    state = _reviews_state(shop, "ada_cookie")

    state.submit({"title": "No stars", "body": "Hmm"})

    assert "rating" in state.errors
    assert "choose from 1 to 5" in state.errors["rating"]
    assert state.form_title == "No stars"
    assert session.exec(select(Review)).all() == []


def test_submit_review_shows_badge_and_average(shop):
    state = _reviews_state(shop, "ada_cookie")
    state.pick_rating(1)

    events = state.submit({"title": "<i>Meh</i>", "body": "Not for me"})

    assert isinstance(events, list)
    assert state.errors == {}
    assert state.has_review
    assert state.mine.rating == 1
    [row] = state.reviews
    assert row.verified is True
    assert row.own is True
    assert row.title == "<i>Meh</i>"
    # (10 * 4 + 1) / 11 = 3.727...
    assert state.average == "3.73"
    assert state.reviews_label == "1.00 from 1 store review"


def test_edit_and_delete_own_review(shop):
    state = _reviews_state(shop, "ada_cookie")
    state.pick_rating(5)
    state.submit({"title": "", "body": ""})

    state.start_edit()
    assert state.form_rating == 5
    state.pick_rating(3)
    state.submit({"title": "Second thoughts", "body": ""})
    assert state.mine.title == "Second thoughts"
    assert state.editing is False

    state.delete_review()
    assert state.has_review is False
    assert state.average == "4.00"


def test_submit_needs_login(shop):
    state = _reviews_state(shop)
    state.pick_rating(4)

    target = _redirect_target(state.submit({"title": "", "body": ""}))

    assert target.startswith("/login?next=")


def test_mark_helpful_from_page(shop, session):
    review = reviews.create_review(
        session, user_id=shop["ada"].id, book_id=shop["book"].id, rating=5
    )
    session.commit()
    state = _reviews_state(shop, "bob_cookie")

    state.mark_helpful(review.id)

    [row] = state.reviews
    assert row.helpful_count == 1
    assert row.voted is True


def test_change_sort_and_page(shop, session):
    for number in range(12):
        user = add_user(session, f"Reader {number:02d}")
        reviews.create_review(
            session, user_id=user.id, book_id=shop["book"].id, rating=1 + number % 5
        )
    session.commit()
    state = _reviews_state(shop)

    state.change_sort("lowest")
    assert [row.rating for row in state.reviews][:3] == [1, 1, 1]
    state.go_to_page(2)

    assert state.page == 2
    assert state.pages == 2
    assert len(state.reviews) == 2


def test_wishlist_toggle_needs_login(shop):
    state = _with_request(WishlistState(), "/")

    target = _redirect_target(state.toggle(shop["book"].id))

    assert target.startswith("/login")


def test_wishlist_toggle_and_move(shop, session):
    state = _with_request(WishlistState(), "/wishlist", shop["bob_cookie"])
    book_id = shop["other"].id

    state.toggle(book_id)
    assert state.wished_ids == [book_id]
    state.load_page()
    assert [row.title for row in state.rows] == ["Companion"]
    state.move_to_cart(book_id)

    assert state.rows == []
    assert state.wished_ids == []
    lines = session.exec(select(CartItem)).all()
    assert [line.book_id for line in lines] == [book_id]


def test_wishlist_load_ids_anonymous_empty(shop):
    state = _with_request(WishlistState(), "/")
    state.wished_ids = [1, 2]

    state.load_ids()

    assert state.wished_ids == []


def _admin_state(shop, cookie_key: str) -> AdminReviewsState:
    state = _with_request(AdminReviewsState(), "/admin/reviews", shop[cookie_key])
    state.load()
    return state


def test_admin_hide_needs_admin(shop, session):
    review = reviews.create_review(
        session, user_id=shop["ada"].id, book_id=shop["book"].id, rating=2
    )
    session.commit()
    state = _with_request(AdminReviewsState(), "/admin/reviews", shop["bob_cookie"])
    state.hide_target = review.id

    target = _redirect_target(state.hide({"reason": "spam"}))

    assert "error=admin" in target
    assert reviews.get_review(session, review.id).hidden is False


def test_admin_hide_with_reason(shop, session):
    review = reviews.create_review(
        session, user_id=shop["ada"].id, book_id=shop["book"].id, rating=2
    )
    session.commit()
    state = _admin_state(shop, "admin_cookie")
    assert [row.id for row in state.rows] == [review.id]

    state.open_hide(review.id)
    state.hide({"reason": "   "})
    assert "missing" in state.hide_error
    assert state.hide_target == review.id
    state.hide({"reason": "Off topic"})

    assert state.hide_target == 0
    assert state.rows[0].hidden is True
    assert state.rows[0].hidden_reason == "Off topic"
    assert state.counts == {"all": 1, "visible": 0, "hidden": 1}
    state.show_review(review.id)
    assert state.rows[0].hidden is False


def test_recommendation_states(shop, session, engine):
    for user in (1, 2):
        for goodbooks_id in (21, 22):
            session.add(GoodbooksRating(user_id=user, book_id=goodbooks_id, rating=5))
    session.commit()
    build_recommendations(engine)

    similar = _with_request(SimilarBooksState(), f"/books/{shop['book'].id}")
    similar.load()
    personal = _with_request(RecommendedState(), "/", shop["ada_cookie"])
    personal.load()
    anonymous = _with_request(RecommendedState(), "/")
    anonymous.load()

    assert [card.title for card in similar.similar] == ["Companion"]
    assert [card.title for card in personal.picks] == ["Companion"]
    assert anonymous.picks == []


@pytest.mark.parametrize("raw_id", [str(2**31), str(2**63), str(10**23)])
def test_book_states_ignore_huge_ids(shop, raw_id):
    reviews = _with_request(ReviewsState(), f"/books/{raw_id}")
    similar = _with_request(SimilarBooksState(), f"/books/{raw_id}")

    reviews.load()
    similar.load()

    assert reviews.loaded is False
    assert similar.similar == []
    assert similar.loaded is True

"""The Reflex app: registers the pages and mounts the REST API."""

import reflex as rx

# Import every table, so Reflex's start-up schema check finds complete foreign keys.
import sky_readers.core.models  # noqa: F401
from sky_readers.api.app import create_api
from sky_readers.core.health import startup_lifespan
from sky_readers.core.logging import configure_logging
from sky_readers.core.periodic import register_job
from sky_readers.core.settings import get_settings
from sky_readers.outbox.app_worker import register_mail_worker
from sky_readers.recommendations.schedule import recommendations_job
from sky_readers.ui.pages.account import register_account_pages
from sky_readers.ui.pages.admin import register_admin_pages
from sky_readers.ui.pages.admin_google_import import register_admin_google_import_page
from sky_readers.ui.pages.admin_outbox import register_admin_outbox_page
from sky_readers.ui.pages.admin_reviews import register_admin_reviews_page
from sky_readers.ui.pages.search import register_search_pages
from sky_readers.ui.pages.shop import register_shop_pages
from sky_readers.ui.pages.store import register_store_pages
from sky_readers.ui.pages.wishlist import register_wishlist_page
from sky_readers.wishlist.schedule import restock_job

configure_logging()
get_settings().check_production_safety()

app = rx.App(
    api_transformer=create_api(),
    # store.css styles the book cards, which lists repeat too often for style props.
    stylesheets=["/store.css"],
    # The store reads left to right. Left unset, the toast area reads the page's
    # computed direction at each render, which recomputes every style on the page.
    toaster=rx.toast.provider(dir="ltr"),
)
app.register_lifespan_task(startup_lifespan)

register_store_pages(app)
register_account_pages(app)
register_search_pages(app)
register_admin_outbox_page(app)
register_admin_pages(app)
register_wishlist_page(app)
register_admin_reviews_page(app)
register_shop_pages(app)
register_admin_google_import_page(app)

register_mail_worker(app)
register_job(app, recommendations_job())
register_job(app, restock_job())

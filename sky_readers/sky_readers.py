"""The Reflex app: registers the pages and mounts the REST API."""

import reflex as rx

# Import every table, so Reflex's start-up schema check finds complete foreign keys.
import sky_readers.core.models  # noqa: F401
from sky_readers.api.app import create_api
from sky_readers.core.settings import get_settings
from sky_readers.ui.pages.account import register_account_pages
from sky_readers.ui.pages.admin_google_import import register_admin_google_import_page
from sky_readers.ui.pages.admin_outbox import register_admin_outbox_page
from sky_readers.ui.pages.search import register_search_pages
from sky_readers.ui.pages.store import register_store_pages

get_settings().check_production_safety()

app = rx.App(api_transformer=create_api())

register_store_pages(app)
register_account_pages(app)
register_search_pages(app)
register_admin_outbox_page(app)
register_admin_google_import_page(app)

"""The Reflex app: registers the pages and mounts the REST API."""

import reflex as rx

from sky_readers.api.app import create_api
from sky_readers.core.settings import get_settings

get_settings().check_production_safety()

app = rx.App(api_transformer=create_api())


def index() -> rx.Component:
    """Placeholder home page until the catalog pages exist."""
    return rx.heading("Sky Readers Haven")


app.add_page(index, route="/")

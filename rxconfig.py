"""Reflex configuration, filled from the store's settings."""

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin
from reflex_components_radix.plugin import RadixThemesPlugin

from sky_readers.core.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="sky_readers",
    db_url=settings.database_url,
    backend_host=settings.bind_host,
    cors_allowed_origins=settings.cors_origin_list,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        SitemapPlugin(),
        RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
    ],
)

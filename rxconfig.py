"""Reflex configuration, filled from the store's settings."""

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from sky_readers.core.settings import get_settings
from sky_readers.ui.bundle import (
    IconChunkPlugin,
    RoutePreloadPlugin,
    StoreThemePlugin,
)

settings = get_settings()

# Without Redis one process serves every tab, so its page state can stay in memory.
# Reflex's default keeps a pickled copy of each tab's state in files as well, which
# only a development server reloading its code needs. With REFLEX_REDIS_URL set,
# Reflex picks Redis itself.
state_manager = (
    {}
    if settings.reflex_redis_url.get_secret_value()
    else {"state_manager_mode": "memory"}
)

config = rx.Config(
    app_name="sky_readers",
    db_url=settings.database_url,
    backend_host=settings.bind_host,
    cors_allowed_origins=settings.cors_origin_list,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        SitemapPlugin(),
        StoreThemePlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
        IconChunkPlugin(),
        RoutePreloadPlugin(),
    ],
    **state_manager,
)

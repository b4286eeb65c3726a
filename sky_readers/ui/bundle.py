"""Build plugins that shorten the first load of a page: fewer, earlier script files.

The production build serves pages with a path parameter, such as /books/12, from
one shell page (React Router's SPA fallback). That shell names only the scripts of
the app's frame. The browser requests the page's own module only after the frame's
scripts have run, and that module's imports only after it arrived, so two round
trips pass before the page can render. `RoutePreloadPlugin` writes a short script
into the shell that requests the matching route's files at once. `IconChunkPlugin`
puts the Lucide icons into one file instead of one file per icon.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from reflex_base.constants import ReactRouter
from reflex_base.plugins.base import Plugin
from reflex_components_radix.plugin import RadixThemesPlugin

logger = logging.getLogger(__name__)

# The shell page that React Router writes for routes it cannot prerender.
SPA_FALLBACK = "__spa-fallback.html"
# React Router's manifest module assigns the route table to this global.
MANIFEST_PREFIX = "window.__reactRouterManifest="
_MODULEPRELOAD = re.compile(r'<link rel="modulepreload" href="([^"]+)"\s*/?>')
_HEAD_START = re.compile(r"<head[^>]*>")
_PARAMETER = re.compile(r":[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"[A-Za-z0-9._~-]+")

# Runs while the browser parses the shell, before any module script. It adds a
# modulepreload link for each file of the first route whose pattern matches. It
# removes itself first, because React hydrates the head later and expects only its
# own scripts there.
_PRELOAD_SCRIPT = (
    "<script>(()=>{document.currentScript.remove();const p=location.pathname;"
    "for(const[r,f]of ROUTES){if(new RegExp(r).test(p)){"
    "for(const h of f){const l=document.createElement('link');"
    "l.rel='modulepreload';l.href=h;document.head.appendChild(l)}break}}})()"
    "</script>"
)

# The Vite config anchor after which the icon group goes, and the group itself.
# NOTE: An icon named by a var (Lucide's DynamicIcon) imports every icon module.
# This group would then put all of them into the one file that every page loads, so
# the pages name their icons with fixed strings, and `check_icon_chunk` enforces it.
_GROUPS_ANCHOR = "groups: ["
# Largest icon file, in bytes, before the build fails. The store's 60 or so icons
# take about 20 kB; every Lucide icon together takes several hundred.
ICON_CHUNK_LIMIT = 200_000
_ICON_GROUP = """
            {
              test: /[\\\\/]lucide-react[\\\\/]dist[\\\\/]esm[\\\\/]icons[\\\\/]/,
              name: "icons",
            },"""


class BundleLayoutError(RuntimeError):
    """The generated build files do not have the shape these plugins expect."""


def route_pattern(path: str) -> str | None:
    """Turn a React Router path such as `books/:book_id` into an anchored regex.

    Returns:
        The regex for `location.pathname`, or None for a path with optional or
        catch-all segments, which these plugins leave alone.
    """
    parts = []
    for segment in path.strip("/").split("/"):
        if _PARAMETER.fullmatch(segment):
            parts.append("[^/]+")
        elif _LITERAL.fullmatch(segment):
            parts.append(re.escape(segment))
        else:
            return None
    return "^/" + "/".join(parts) + "/?$"


def read_manifest(text: str) -> dict[str, Any]:
    """Parse the route table out of React Router's manifest module.

    Raises:
        BundleLayoutError: The module is not the expected assignment.
    """
    body = text.strip()
    if not body.startswith(MANIFEST_PREFIX):
        msg = f"the route manifest does not start with {MANIFEST_PREFIX!r}"
        raise BundleLayoutError(msg)
    try:
        manifest = json.loads(body[len(MANIFEST_PREFIX) :].rstrip(";"))
    except json.JSONDecodeError as exc:
        msg = f"the route manifest is not JSON after its prefix: {exc}"
        raise BundleLayoutError(msg) from exc
    if not isinstance(manifest.get("routes"), dict):
        msg = "the route manifest has no routes table"
        raise BundleLayoutError(msg)
    return manifest


def route_files(manifest: dict[str, Any], already: set[str]) -> list[list[Any]]:
    """List, for each route with a path parameter, the files it needs beyond `already`.

    A route's files are its module and imports and those of its parent routes,
    except the root, whose files the shell page names itself.

    Returns:
        `[pattern, [file, ...]]` pairs in manifest order.
    """
    routes = manifest["routes"]
    table = []
    for route in routes.values():
        path = route.get("path") or ""
        if ":" not in path or (pattern := route_pattern(path)) is None:
            continue
        files: list[str] = []
        current = route
        while current is not None and current.get("id") != "root":
            for name in [current.get("module"), *current.get("imports", [])]:
                if name and name not in already and name not in files:
                    files.append(name)
            current = routes.get(current.get("parentId") or "")
        if files:
            table.append([pattern, files])
    return table


def add_route_preloads(html: str, manifest: dict[str, Any]) -> str:
    """Insert the route preload script into the shell page after its own preloads.

    Raises:
        BundleLayoutError: The page has no head element.
    """
    preloads = list(_MODULEPRELOAD.finditer(html))
    table = route_files(manifest, {match.group(1) for match in preloads})
    if not table:
        return html
    routes = json.dumps(table, separators=(",", ":")).replace("</", "<\\/")
    script = _PRELOAD_SCRIPT.replace("ROUTES", routes)
    if preloads:
        at = preloads[-1].end()
    elif head := _HEAD_START.search(html):
        at = head.end()
    else:
        msg = f"{SPA_FALLBACK} has no <head> element"
        raise BundleLayoutError(msg)
    return html[:at] + script + html[at:]


def group_icons(vite_config: str) -> str:
    """Add the icon group to the code splitting groups of Reflex's Vite config.

    Raises:
        BundleLayoutError: The config has no code splitting groups.
    """
    if 'name: "icons"' in vite_config:
        return vite_config
    if _GROUPS_ANCHOR not in vite_config:
        msg = (
            f"{ReactRouter.VITE_CONFIG_FILE} has no {_GROUPS_ANCHOR!r} to add the icon "
            "group to; the Reflex Vite template changed, so update "
            "sky_readers/ui/bundle.py"
        )
        raise BundleLayoutError(msg)
    return vite_config.replace(_GROUPS_ANCHOR, _GROUPS_ANCHOR + _ICON_GROUP, 1)


class IconChunkPlugin(Plugin):
    """Bundle every Lucide icon the pages use into one script file."""

    def pre_compile(self, **context: Any) -> None:
        """Register the Vite config change with the compiler."""
        context["add_modify_task"](ReactRouter.VITE_CONFIG_FILE, group_icons)

    def post_build(self, **context: Any) -> None:
        """Check that the icon file contains the pages' icons, not all of Lucide."""
        check_icon_chunk(Path(context["static_dir"]))


def check_icon_chunk(static_dir: Path) -> None:
    """Raise when the icon file grew past ICON_CHUNK_LIMIT bytes.

    Raises:
        BundleLayoutError: An icon file is too large; its message names the fix.
    """
    for chunk in sorted((static_dir / "assets").glob("icons-*.js")):
        size = chunk.stat().st_size
        if size > ICON_CHUNK_LIMIT:
            msg = (
                f"{chunk.name} is {size} bytes, over {ICON_CHUNK_LIMIT}: a page names "
                "an icon with a var (rx.icon(some_var)), which pulls every Lucide "
                "icon into the file that all pages load. Name the icons with fixed "
                "strings, for example rx.cond(flag, rx.icon('user'), rx.icon('book'))"
            )
            raise BundleLayoutError(msg)


class RoutePreloadPlugin(Plugin):
    """Let the shell page of parameterised routes preload the matching route."""

    def post_build(self, **context: Any) -> None:
        """Rewrite the shell page; Reflex compresses and copies it afterwards."""
        static_dir = Path(context["static_dir"])
        shell = static_dir / SPA_FALLBACK
        if not shell.is_file():
            logger.info("No %s in %s; nothing to preload", SPA_FALLBACK, static_dir)
            return
        html = shell.read_text(encoding="utf-8")
        manifest_files = [
            href for href in _MODULEPRELOAD.findall(html) if "/manifest-" in href
        ]
        if len(manifest_files) != 1:
            msg = f"{SPA_FALLBACK} names {len(manifest_files)} route manifests, not 1"
            raise BundleLayoutError(msg)
        manifest_path = static_dir / manifest_files[0].lstrip("/")
        manifest = read_manifest(manifest_path.read_text(encoding="utf-8"))
        shell.write_text(add_route_preloads(html, manifest), encoding="utf-8")


class StoreThemePlugin(RadixThemesPlugin):
    """Radix Themes, with each page bundling only the components it renders.

    Reflex puts the packages that plugins name into `window.__reflex`, for
    components built at run time. The store builds none, and that entry imports the
    whole Radix Themes library on every page. So this plugin names no package, and
    the components still name `@radix-ui/themes` themselves, which installs it.
    """

    def get_frontend_dependencies(self, **context: Any) -> tuple[str, ...]:
        """Name no package to put on `window.__reflex`."""
        return ()

"""Tests of the build plugins: route preloads in the shell page and the icon chunk."""

from __future__ import annotations

import json
import re

import pytest
from reflex_base.compiler.templates import vite_config_template

from sky_readers.ui.bundle import (
    ICON_CHUNK_LIMIT,
    MANIFEST_PREFIX,
    SPA_FALLBACK,
    BundleLayoutError,
    IconChunkPlugin,
    RoutePreloadPlugin,
    StoreThemePlugin,
    add_route_preloads,
    group_icons,
    read_manifest,
    route_files,
    route_pattern,
)

MANIFEST = {
    "entry": {"module": "/assets/entry.client-A.js", "imports": [], "css": []},
    "routes": {
        "root": {
            "id": "root",
            "path": "",
            "module": "/assets/root-R.js",
            "imports": ["/assets/react-X.js", "/assets/theme-T.js"],
        },
        "routes/_index": {
            "id": "routes/_index",
            "parentId": "root",
            "path": None,
            "index": True,
            "module": "/assets/_index-H.js",
            "imports": ["/assets/theme-T.js", "/assets/home-only-Q.js"],
        },
        "routes/[books].$[book_id]._index": {
            "id": "routes/[books].$[book_id]._index",
            "parentId": "root",
            "path": "books/:book_id",
            "module": "/assets/_books_-B.js",
            "imports": ["/assets/theme-T.js", "/assets/text-field-F.js"],
        },
        "routes/[orders]": {
            "id": "routes/[orders]",
            "parentId": "root",
            "path": "orders",
            "module": "/assets/orders-layout-L.js",
            "imports": ["/assets/table-Y.js"],
        },
        "routes/[orders].$[number]": {
            "id": "routes/[orders].$[number]",
            "parentId": "routes/[orders]",
            "path": "orders/:number",
            "module": "/assets/order-O.js",
            "imports": ["/assets/table-Y.js", "/assets/badge-Z.js"],
        },
        "routes/[docs].*": {
            "id": "routes/[docs].*",
            "parentId": "root",
            "path": "docs/*",
            "module": "/assets/docs-D.js",
            "imports": [],
        },
    },
}

SHELL = (
    '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
    '<link rel="modulepreload" href="/assets/manifest-M.js"/>'
    '<link rel="modulepreload" href="/assets/root-R.js"/>'
    '<link rel="modulepreload" href="/assets/react-X.js"/>'
    '<link rel="modulepreload" href="/assets/theme-T.js"/>'
    "<script>/* theme */</script>"
    '<link href="/assets/styles-S.css" rel="stylesheet" type="text/css"/>'
    "</head><body></body></html>"
)


def _table(html: str) -> list:
    found = re.search(r"for\(const\[r,f\]of (\[.*?\]\]\])\)", html)
    assert found, "no route table in the page"
    return json.loads(found.group(1))


@pytest.mark.parametrize(
    ("path", "matching", "other"),
    [
        ("books/:book_id", ["/books/12", "/books/12/"], ["/books", "/books/12/x"]),
        ("categories/:slug", ["/categories/fantasy"], ["/categoriesX/fantasy"]),
        ("admin/orders/:number", ["/admin/orders/SRH-1"], ["/orders/SRH-1"]),
    ],
)
def test_route_pattern_matches_only_its_paths(path, matching, other):
    """Test that a path with parameters becomes an anchored regex for its URLs."""
    pattern = re.compile(route_pattern(path))

    assert all(pattern.search(url) for url in matching)
    assert not any(pattern.search(url) for url in other)


@pytest.mark.parametrize("path", ["docs/*", "books/:book_id?", "a/b.c (d)"])
def test_route_pattern_leaves_other_paths_alone(path):
    """Test that optional and catch-all segments get no pattern."""
    assert route_pattern(path) is None


def test_read_manifest_parses_the_assignment():
    """Test that the route table is read from React Router's manifest module."""
    text = MANIFEST_PREFIX + json.dumps(MANIFEST) + ";"

    assert read_manifest(text)["routes"]["root"]["module"] == "/assets/root-R.js"


@pytest.mark.parametrize(
    "text",
    ["export default {};", MANIFEST_PREFIX + "{not json};", MANIFEST_PREFIX + "{};"],
)
def test_read_manifest_refuses_other_files(text):
    """Test that an unexpected manifest stops the build with a clear error."""
    with pytest.raises(BundleLayoutError):
        read_manifest(text)


def test_route_files_lists_parameterised_routes_with_their_parents():
    """Test that each route lists its own, its parents' but not the shell's files."""
    table = route_files(MANIFEST, {"/assets/root-R.js", "/assets/theme-T.js"})

    assert table == [
        [
            route_pattern("books/:book_id"),
            ["/assets/_books_-B.js", "/assets/text-field-F.js"],
        ],
        [
            route_pattern("orders/:number"),
            [
                "/assets/order-O.js",
                "/assets/table-Y.js",
                "/assets/badge-Z.js",
                "/assets/orders-layout-L.js",
            ],
        ],
    ]


def test_add_route_preloads_goes_before_the_page_scripts():
    """Test that the script follows the shell's preloads and precedes its scripts."""
    html = add_route_preloads(SHELL, MANIFEST)

    script_at = html.index("currentScript.remove()")
    assert script_at > html.index('href="/assets/theme-T.js"')
    assert script_at < html.index("/* theme */")
    assert script_at < html.index('rel="stylesheet"')
    table = _table(html)
    assert [files[0] for _, files in table] == [
        "/assets/_books_-B.js",
        "/assets/order-O.js",
    ]
    assert "/assets/theme-T.js" not in json.dumps(table)


def test_add_route_preloads_without_parameterised_routes_changes_nothing():
    """Test that a manifest without parameterised routes leaves the page as it is."""
    routes = {"root": MANIFEST["routes"]["root"]}

    assert add_route_preloads(SHELL, {"routes": routes}) == SHELL


def test_add_route_preloads_escapes_closing_tags():
    """Test that a file name cannot end the inline script early."""
    manifest = json.loads(json.dumps(MANIFEST))
    manifest["routes"]["routes/[books].$[book_id]._index"]["imports"] = [
        "/assets/</script><script>alert(1)</script>.js"
    ]

    html = add_route_preloads(SHELL, manifest)

    assert "</script><script>alert(1)" not in html


def test_plugin_rewrites_the_shell_page(tmp_path):
    """Test that the post-build step reads the manifest the shell names."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "manifest-M.js").write_text(
        MANIFEST_PREFIX + json.dumps(MANIFEST) + ";"
    )
    shell = tmp_path / SPA_FALLBACK
    shell.write_text(SHELL)

    RoutePreloadPlugin().post_build(static_dir=tmp_path)

    assert [pattern for pattern, _ in _table(shell.read_text())] == [
        route_pattern("books/:book_id"),
        route_pattern("orders/:number"),
    ]


def test_plugin_without_shell_page_does_nothing(tmp_path):
    """Test that a build that prerendered every page is left alone."""
    RoutePreloadPlugin().post_build(static_dir=tmp_path)

    assert list(tmp_path.iterdir()) == []


def test_group_icons_joins_reflex_vite_config():
    """Test that the icon group fits the Vite config that this Reflex writes."""
    config = vite_config_template(
        base="/",
        hmr=False,
        force_full_reload=False,
        experimental_hmr=False,
        sourcemap=False,
    )

    grouped = group_icons(config)

    assert 'name: "icons"' in grouped
    assert "lucide-react[\\\\/]dist[\\\\/]esm[\\\\/]icons" in grouped
    assert grouped.index('name: "icons"') < grouped.index('name: "reflex-env"')
    assert group_icons(grouped) == grouped


def test_group_icons_refuses_a_changed_template():
    """Test that a Vite config without code splitting groups stops the build."""
    with pytest.raises(BundleLayoutError, match="Vite template changed"):
        group_icons("export default defineConfig({});")


def test_theme_plugin_names_no_package_for_window_reflex():
    """Test that Radix Themes stays out of the run-time component libraries."""
    plugin = StoreThemePlugin()

    assert plugin.get_frontend_dependencies() == ()
    assert plugin.get_stylesheet_paths() == ("@radix-ui/themes/styles.css",)


def test_icon_check_passes_small_icon_file(tmp_path):
    """Test that an icon file of the pages' own icons passes the build."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "icons-vgEa6WG9.js").write_text("x" * 20_000)

    IconChunkPlugin().post_build(static_dir=tmp_path)


def test_icon_check_rejects_every_icon(tmp_path):
    """Test that an icon file with all of Lucide stops the build and names the fix."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "icons-vgEa6WG9.js").write_text("x" * (ICON_CHUNK_LIMIT + 1))

    with pytest.raises(BundleLayoutError, match="fixed"):
        IconChunkPlugin().post_build(static_dir=tmp_path)

//! showfeed's own icons: the images the merged, show and view documents name (Atom
//! `<icon>` / `<logo>`, JSON Feed `favicon` / `icon`, RSS `<image>`) and the index page's
//! favicon. Compiled in, so a fresh binary serves them with nothing installed.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// 64 x 64 pixels: a favicon, Atom's `<icon>`.
const FAVICON: &[u8] = include_bytes!("assets/favicon-64.png");
/// 512 x 512 pixels: JSON Feed's `icon`, Atom's `<logo>`.
const ICON: &[u8] = include_bytes!("assets/icon-512.png");

fn png(bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            // They change only with a release.
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        bytes,
    )
        .into_response()
}

/// `/favicon.png` and `/favicon.ico` (a PNG: every browser and reader takes one there).
pub async fn favicon() -> Response {
    png(FAVICON)
}

/// `/icon.png`.
pub async fn icon() -> Response {
    png(ICON)
}

//! `/admin/health.atom`: source problems as a feed, so an admin subscribes to failures,
//! recoveries, 410s, permanent redirects, missed items and refused reloads in the same reader.

use atom_syndication as atom;

use super::atom::time;
use crate::config::Config;
use crate::entry::EntryId;
use crate::store::{Store, StoreError};
use crate::text::xml_safe;

/// Renders the newest health events as Atom.
pub fn render(config: &Config, store: &Store) -> Result<Vec<u8>, StoreError> {
    let base = config.server.public_url.as_str().trim_end_matches('/');
    let events = store.events(200)?;
    let entries = events
        .iter()
        .map(|(seq, e)| atom::Entry {
            id: EntryId::derive("health", &format!("{}/{seq}", e.at)).urn(),
            title: atom::Text::plain(xml_safe(&e.title).into_owned()),
            updated: time(e.at),
            categories: vec![atom::Category {
                term: e.kind.clone(),
                scheme: Some("urn:showfeed:health".into()),
                label: None,
            }],
            links: vec![atom::Link {
                href: format!("{base}/"),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            }],
            summary: Some(atom::Text::plain(xml_safe(&e.detail).into_owned())),
            ..Default::default()
        })
        .collect();
    let title = format!("{}: source health", xml_safe(&config.server.title));
    let feed = atom::Feed {
        id: format!("{base}/admin/health.atom"),
        title: atom::Text::plain(title.clone()),
        // No event yet: dated like any empty document, never 1970.
        updated: time(match events.first() {
            Some((_, e)) => e.at,
            None => super::doc::empty_updated(store)?,
        }),
        authors: vec![atom::Person {
            name: title,
            ..Default::default()
        }],
        links: vec![atom::Link {
            href: format!("{base}/admin/health.atom"),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Default::default()
        }],
        entries,
        ..Default::default()
    };
    feed.write_to(Vec::new())
        .map_err(|e| StoreError::Sled(sled::Error::ReportableBug(e.to_string())))
}

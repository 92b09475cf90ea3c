//! OPML 2.0: export of the configured sources (`GET /opml`) and import of another reader's
//! export into feeds.toml (`showfeed opml import`), keeping the file's comments and layout.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Context as _;

use crate::config::{slugify, Config};
use crate::output::doc::SourceInfo;

/// The sources as an OPML 2.0 document, written with quick-xml (escaping and well-formedness
/// are its job; characters XML cannot hold are dropped first).
pub fn export(config: &Config, sources: &HashMap<String, SourceInfo>) -> String {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    let clean = |s: &str| {
        s.chars()
            .filter(|&c| crate::text::is_xml_char(c))
            .collect::<String>()
    };
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    let _ = w
        .create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|w| {
            w.create_element("head").write_inner_content(|w| {
                w.create_element("title")
                    .write_text_content(BytesText::new(&clean(&config.server.title)))?;
                w.create_element("dateCreated")
                    .write_text_content(BytesText::new(&chrono::Utc::now().to_rfc2822()))?;
                Ok(())
            })?;
            w.write_event(Event::Start(BytesStart::new("body")))?;
            // Local files are the admin's, and no other reader can open them: left out.
            for f in config.feeds.iter().filter(|f| f.url.scheme() != "file") {
                let source = sources.get(&f.id);
                let title = clean(source.map_or(f.id.as_str(), |s| s.title.as_str()));
                let mut outline = BytesStart::new("outline");
                outline.push_attribute(("type", "rss"));
                outline.push_attribute(("text", title.as_str()));
                outline.push_attribute(("title", title.as_str()));
                outline.push_attribute(("xmlUrl", f.url.as_str()));
                if let Some(site) = source.and_then(|s| s.site_link.as_deref()) {
                    outline.push_attribute(("htmlUrl", clean(site).as_str()));
                }
                w.write_event(Event::Empty(outline))?;
            }
            w.write_event(Event::End(BytesEnd::new("body")))?;
            Ok(())
        });
    let mut out = String::from_utf8(w.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

/// A feed found in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// `xmlUrl`.
    pub url: String,
    /// `title`, else `text`.
    pub title: Option<String>,
}

/// Every outline with an `xmlUrl`, at any depth (Miniflux and FreshRSS nest them in
/// categories).
pub fn outlines(xml: &str) -> anyhow::Result<Vec<Outline>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader
            .read_event()
            .context("the OPML file is not well-formed XML")?
        {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.local_name().as_ref().eq_ignore_ascii_case(b"outline") =>
            {
                let mut url = None;
                let mut title = None;
                let mut text = None;
                for a in e.attributes().flatten() {
                    let v = a
                        .unescape_value()
                        .map(|v| v.trim().to_owned())
                        .unwrap_or_default();
                    match a.key.local_name().as_ref() {
                        b"xmlUrl" | b"xmlurl" => url = Some(v),
                        b"title" => title = Some(v),
                        b"text" => text = Some(v),
                        _ => {}
                    }
                }
                if let Some(url) = url.filter(|u| !u.is_empty()) {
                    out.push(Outline {
                        url,
                        title: title.or(text).filter(|t| !t.is_empty()),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Result of an import.
#[derive(Debug, Default)]
pub struct Imported {
    /// Feed ids added.
    pub added: Vec<String>,
    /// URLs skipped because the config already polls them.
    pub skipped: Vec<String>,
    /// URLs rejected (not http, https or file), with the reason.
    pub rejected: Vec<(String, String)>,
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// Adds the feeds of `opml` to the config file at `config_path` (validated as `config`),
/// skipping URLs already present, and rewrites the file with comments and layout kept.
pub fn import(config_path: &Path, config: &Config, opml: &str) -> anyhow::Result<Imported> {
    let text = std::fs::read_to_string(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("cannot parse {}", config_path.display()))?;
    let mut ids: HashSet<String> = config.feeds.iter().map(|f| f.id.clone()).collect();
    let mut urls: Vec<String> = config.feeds.iter().map(|f| f.url.to_string()).collect();
    let mut result = Imported::default();
    for o in outlines(opml)? {
        if urls.iter().any(|u| same_url(u, &o.url)) {
            result.skipped.push(o.url);
            continue;
        }
        match url::Url::parse(&o.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https" | "file") => {}
            Ok(u) => {
                result.rejected.push((
                    o.url.clone(),
                    format!("scheme {:?} is not http, https or file", u.scheme()),
                ));
                continue;
            }
            Err(e) => {
                result.rejected.push((o.url.clone(), e.to_string()));
                continue;
            }
        }
        let base = o
            .title
            .as_deref()
            .map(slugify)
            .filter(|s| !s.is_empty())
            .or_else(|| url::Url::parse(&o.url).ok()?.host_str().map(slugify))
            .unwrap_or_else(|| "feed".to_owned());
        let base: String = base
            .chars()
            .take(56)
            .collect::<String>()
            .trim_matches('-')
            .to_owned();
        let mut id = base.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let mut table = toml_edit::Table::new();
        table.insert("id", toml_edit::value(id.clone()));
        table.insert("url", toml_edit::value(o.url.clone()));
        if let Some(t) = &o.title {
            table.insert("title", toml_edit::value(t.clone()));
        }
        let feeds = doc
            .entry("feed")
            .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
        let Some(array) = feeds.as_array_of_tables_mut() else {
            anyhow::bail!(
                "`feed` in {} is not an array of tables ([[feed]])",
                config_path.display()
            );
        };
        array.push(table);
        ids.insert(id.clone());
        urls.push(o.url);
        result.added.push(id);
    }
    if !result.added.is_empty() {
        let new_text = doc.to_string();
        // Never write a file the daemon would refuse.
        Config::parse(&new_text, config_path).context("the imported config would not validate")?;
        let tmp = config_path.with_extension("toml.tmp");
        std::fs::write(&tmp, &new_text)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, config_path)
            .with_context(|| format!("cannot replace {}", config_path.display()))?;
    }
    Ok(result)
}

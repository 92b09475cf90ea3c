//! An entry's language: what the source declares (the item's Atom `xml:lang`, else the
//! feed's RSS `<language>`, RSS 1.0 `dc:language`, Atom `xml:lang` or JSON Feed `language`,
//! as feed-rs reads them), else what whatlang detects in the title and summary when it is
//! sure. Always a BCP 47 tag (`en`, `en-US`, `pt-BR`, `ko`), so it can go out as
//! `xml:lang`, `dc:language` and JSON Feed `language` unchanged.

/// ISO 639-3 codes whatlang gives -> the BCP 47 primary subtag (ISO 639-1 where one
/// exists). A code not listed is used as it is (639-3 codes are valid BCP 47 too).
#[rustfmt::skip]
const TWO_LETTER: &[(&str, &str)] = &[
    ("afr", "af"), ("aka", "ak"), ("amh", "am"), ("ara", "ar"), ("aze", "az"),
    ("bel", "be"), ("ben", "bn"), ("bul", "bg"), ("cat", "ca"), ("ces", "cs"),
    ("cmn", "zh"), ("cym", "cy"), ("dan", "da"), ("deu", "de"), ("ell", "el"),
    ("eng", "en"), ("epo", "eo"), ("est", "et"), ("fin", "fi"), ("fra", "fr"),
    ("guj", "gu"), ("heb", "he"), ("hin", "hi"), ("hrv", "hr"), ("hun", "hu"),
    ("hye", "hy"), ("ind", "id"), ("ita", "it"), ("jav", "jv"), ("jpn", "ja"),
    ("kan", "kn"), ("kat", "ka"), ("khm", "km"), ("kor", "ko"), ("lat", "la"),
    ("lav", "lv"), ("lit", "lt"), ("mal", "ml"), ("mar", "mr"), ("mkd", "mk"),
    ("mya", "my"), ("nep", "ne"), ("nld", "nl"), ("nob", "nb"), ("ori", "or"),
    ("pan", "pa"), ("pes", "fa"), ("pol", "pl"), ("por", "pt"), ("ron", "ro"),
    ("rus", "ru"), ("sin", "si"), ("slk", "sk"), ("slv", "sl"), ("sna", "sn"),
    ("spa", "es"), ("srp", "sr"), ("swe", "sv"), ("tam", "ta"), ("tel", "te"),
    ("tgl", "tl"), ("tha", "th"), ("tuk", "tk"), ("tur", "tr"), ("ukr", "uk"),
    ("urd", "ur"), ("uzb", "uz"), ("vie", "vi"), ("yid", "yi"), ("zul", "zu"),
];

/// Shorter texts than this (in characters) are not guessed at: a headline of three words
/// says too little.
const MIN_TEXT: usize = 20;

/// The language declared for an item (`item`, else `feed`), as a BCP 47 tag; `None` when
/// neither declares one that reads as a tag.
pub fn declared(item: Option<&str>, feed: Option<&str>) -> Option<String> {
    item.and_then(bcp47).or_else(|| feed.and_then(bcp47))
}

/// `raw` as a BCP 47 tag in its usual case (`en-us` -> `en-US`, `zh_hant_tw` ->
/// `zh-Hant-TW`); `None` when it is no tag (`English`, `*`, empty).
pub fn bcp47(raw: &str) -> Option<String> {
    let raw = raw.trim().replace('_', "-");
    let mut parts = raw.split('-');
    let primary = parts.next()?;
    if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut tag = primary.to_ascii_lowercase();
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        tag.push('-');
        match part.len() {
            2 => tag.push_str(&part.to_ascii_uppercase()),
            4 => {
                let mut chars = part.chars();
                tag.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                tag.push_str(&chars.as_str().to_ascii_lowercase());
            }
            _ => tag.push_str(&part.to_ascii_lowercase()),
        }
    }
    Some(tag)
}

/// Detections less sure than this are not kept. whatlang's own `is_reliable` also wants a
/// wide margin over the runner-up, which headlines (a few words, names of shows) seldom
/// give; the corpus figures in BENCHMARKS.md are measured at this threshold.
pub const MIN_CONFIDENCE: f64 = 0.5;

/// The language whatlang finds in `text` (plain text), when it is sure enough.
pub fn detect(text: &str) -> Option<String> {
    if text.chars().filter(|c| c.is_alphabetic()).count() < MIN_TEXT {
        return None;
    }
    let info = whatlang::detect(text).filter(|i| i.confidence() >= MIN_CONFIDENCE)?;
    let code = info.lang().code();
    Some(
        TWO_LETTER
            .iter()
            .find(|(three, _)| *three == code)
            .map_or(code, |(_, two)| two)
            .to_owned(),
    )
}

/// Characters of the body detection reads after the title: whatlang's cost grows with the
/// text (at 600 it was a quarter of a first poll's CPU), and a few sentences tell a language.
pub const BODY_CHARS: usize = 300;

/// The language of an entry's title and body (sanitized HTML), when detection is sure:
/// what ingest stores for a new or changed entry whose source declares none.
pub fn detect_entry(title: &str, body_html: Option<&str>) -> Option<String> {
    let mut text = title.to_owned();
    if let Some(body) = body_html {
        text.push_str(". ");
        // Sanitized HTML: a tag strip of a prefix is exact enough, and no HTML parse.
        let end = body
            .char_indices()
            .nth(8 * BODY_CHARS)
            .map_or(body.len(), |(i, _)| i);
        text.extend(
            crate::text::strip_tags(&body[..end])
                .chars()
                .take(BODY_CHARS),
        );
    }
    detect(&text)
}

/// The primary language of a tag, with the old and the macro-language codes folded
/// (`iw` = `he`, `in` = `id`, `no`/`nn` = `nb`): what `lang=` and the accuracy figures
/// compare.
pub fn primary(tag: &str) -> String {
    let p = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    match p.as_str() {
        "iw" => "he".into(),
        "in" => "id".into(),
        "ji" => "yi".into(),
        "no" | "nn" => "nb".into(),
        "zho" | "chi" => "zh".into(),
        _ => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_in_their_usual_case() {
        assert_eq!(bcp47("en-us").as_deref(), Some("en-US"));
        assert_eq!(bcp47(" EN ").as_deref(), Some("en"));
        assert_eq!(bcp47("zh_hant_tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(bcp47("pt-BR").as_deref(), Some("pt-BR"));
        for bad in ["English", "", "*", "e", "en--us", "en-toolongsubtag"] {
            assert_eq!(bcp47(bad), None, "{bad}");
        }
        assert_eq!(declared(Some("fr"), Some("en")).as_deref(), Some("fr"));
        assert_eq!(
            declared(Some("français"), Some("en")).as_deref(),
            Some("en")
        );
    }

    #[test]
    fn detection_is_only_said_when_sure() {
        assert_eq!(
            detect(
                "Netflix renews the zombie drama for a second season after record viewing figures"
            )
            .as_deref(),
            Some("en")
        );
        assert_eq!(
            detect("넷플릭스 좀비 드라마 지금 우리 학교는 시즌2 제작 확정, 주연 배우들 복귀")
                .as_deref(),
            Some("ko")
        );
        assert_eq!(
            detect(
                "La série revient pour une deuxième saison avec toute la distribution originale"
            )
            .as_deref(),
            Some("fr")
        );
        assert_eq!(detect("Squid Game"), None, "too short to tell");
        assert_eq!(primary("en-US"), "en");
        assert_eq!(primary("iw"), "he");
        assert_eq!(primary("no"), "nb");
    }
}

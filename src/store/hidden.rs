//! Entries hidden by ingest rules: `hidden`, entry id -> the rule's name. A rule set that
//! changes is applied to the stored entries by hiding what it would have dropped and showing
//! again what it no longer drops; nothing is deleted, so undoing a rule brings its entries
//! back. Documents leave hidden entries out ([`Store::is_hidden`]).

use crate::entry::{Entry, EntryId};

use super::{Store, StoreError};

/// `meta` key of the fingerprint of the rule set the hidden entries match.
const META_RULES: &[u8] = b"rules";

/// Counts of one pass over the store.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HideStats {
    /// Entries newly hidden.
    pub hidden: usize,
    /// Entries shown again.
    pub shown: usize,
}

impl Store {
    /// Whether some entry is hidden (cheap: asked once per document).
    pub fn any_hidden(&self) -> bool {
        !self.hidden.is_empty()
    }

    /// Whether this entry is hidden by a rule.
    pub fn is_hidden(&self, id: &EntryId) -> Result<bool, StoreError> {
        Ok(self.hidden.contains_key(id.0)?)
    }

    /// Hides this entry under `rule`, or (None) shows it again.
    pub fn set_hidden(&self, id: &EntryId, rule: Option<&str>) -> Result<(), StoreError> {
        self.write(|| {
            let changed = match rule {
                Some(r) => self.hidden.insert(id.0, r.as_bytes())?.is_none(),
                None => self.hidden.remove(id.0)?.is_some(),
            };
            if changed {
                self.wrote();
                self.bump();
            }
            Ok(())
        })
    }

    /// Hides (`rule` = Some) or shows again (None) every stored entry as `verdict` says,
    /// in chunks, asking `stop` between them; `None` when stopped. Hidden ids whose entry is
    /// gone (retention) are forgotten.
    pub fn apply_hiding(
        &self,
        verdict: impl Fn(&Entry) -> Option<&'static str>,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<HideStats>, StoreError> {
        self.write(|| {
            let mut stats = HideStats::default();
            for (scanned, e) in self.all_entries().enumerate() {
                if scanned % 500 == 499 && stop() {
                    self.bump();
                    return Ok(None);
                }
                let e = e?;
                let k = e.id.0;
                let was = self.hidden.contains_key(k)?;
                match verdict(&e) {
                    Some(rule) if !was => {
                        self.hidden.insert(k, rule.as_bytes())?;
                        stats.hidden += 1;
                    }
                    None if was => {
                        self.hidden.remove(k)?;
                        stats.shown += 1;
                    }
                    _ => {}
                }
            }
            for kv in self.hidden.iter() {
                let (k, _) = kv?;
                if !self.entries.contains_key(&k)? {
                    self.hidden.remove(&k)?;
                }
            }
            if stats.hidden + stats.shown > 0 {
                self.wrote();
                self.bump();
            }
            Ok(Some(stats))
        })
    }

    /// The fingerprint of the rule set the hidden entries were last made to match.
    pub fn rules_applied(&self) -> Result<Option<[u8; 16]>, StoreError> {
        Ok(self
            .meta
            .get(META_RULES)?
            .and_then(|v| <[u8; 16]>::try_from(v.as_ref()).ok()))
    }

    /// Records that the hidden entries match the rule set with this fingerprint.
    pub fn set_rules_applied(&self, fingerprint: [u8; 16]) -> Result<(), StoreError> {
        self.write(|| {
            self.meta.insert(META_RULES, &fingerprint)?;
            self.wrote();
            Ok(())
        })
    }
}

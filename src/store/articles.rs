//! Article validators: `articles`, entry id -> the `ETag` and `Last-Modified` of its
//! article's page when it was fetched, so that fetching it again (the item changed in its
//! feed, or `fetch-text`) can be a conditional request, and a 304 keeps the stored article.
//! Written right after the fetch, apart from the poll's commit: a validator whose article
//! was not stored is harmless, since a 304 is only taken when the stored entry has content.

use serde::{Deserialize, Serialize};

use crate::entry::EntryId;

use super::{Store, StoreError};

/// A page's validators, and the URL they belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleValidators {
    /// The article's URL (a changed link is another page).
    pub url: String,
    /// `ETag` of the 200.
    pub etag: Option<String>,
    /// `Last-Modified` of the 200.
    pub last_modified: Option<String>,
}

/// Stored form: versioned like every value (see `codec`).
#[derive(Serialize, Deserialize)]
enum Stored {
    V1(ArticleValidators),
}

impl Store {
    /// The validators of entry `id`'s article, if its page sent any.
    pub fn article_validators(
        &self,
        id: &EntryId,
    ) -> Result<Option<ArticleValidators>, StoreError> {
        let Some(v) = self.articles.get(id.0)? else {
            return Ok(None);
        };
        match postcard::from_bytes(&v) {
            Ok(Stored::V1(a)) => Ok(Some(a)),
            Err(source) => Err(StoreError::Decode {
                what: "article validators",
                source,
            }),
        }
    }

    /// Records the validators of entry `id`'s article (none sent: forgets the old ones).
    pub fn put_article_validators(
        &self,
        id: &EntryId,
        v: &ArticleValidators,
    ) -> Result<(), StoreError> {
        self.write(|| {
            if v.etag.is_none() && v.last_modified.is_none() {
                self.articles.remove(id.0)?;
            } else {
                let bytes =
                    postcard::to_stdvec(&Stored::V1(v.clone())).map_err(StoreError::Encode)?;
                self.articles.insert(id.0, bytes)?;
            }
            self.wrote();
            Ok(())
        })
    }
}

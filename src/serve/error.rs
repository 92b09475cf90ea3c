//! The one place where errors become HTTP statuses.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tracing::error;

use crate::errors::error_chain;
use crate::output::OutputError;
use crate::query::QueryError;
use crate::store::StoreError;

/// Errors of the serve stage.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A query parameter is unknown, repeated or invalid; the message names it.
    #[error("{0}")]
    BadQuery(String),
    /// No such document.
    #[error("{0}")]
    NotFound(String),
    /// An admin endpoint without the right token.
    #[error(
        "this endpoint needs the admin token: send `Authorization: Bearer <[server] admin_token>`"
    )]
    Unauthorized,
    /// The store failed.
    #[error("storage error")]
    Store(#[from] StoreError),
    /// A document could not be rendered.
    #[error("cannot render the document: {0}")]
    Render(String),
    /// A hub's request to the WebSub callback was refused.
    #[error("{0}")]
    WebSub(#[from] crate::websub::callback::PushError),
}

impl From<OutputError> for ServeError {
    fn from(e: OutputError) -> ServeError {
        match e {
            OutputError::BadQuery(q) => ServeError::BadQuery(q.0),
            OutputError::NotFound(m) => ServeError::NotFound(m),
            OutputError::Store(s) => ServeError::Store(s),
            OutputError::Render(m) => ServeError::Render(m),
        }
    }
}

impl From<QueryError> for ServeError {
    fn from(e: QueryError) -> ServeError {
        ServeError::BadQuery(e.0)
    }
}

/// A refused WebSub delivery: unknown token 404, bad or missing signature 403, too large
/// 413, not a feed 400, a store failure 500.
fn websub_status(e: &crate::websub::callback::PushError) -> StatusCode {
    use crate::websub::callback::PushError;
    match e {
        PushError::UnknownToken => StatusCode::NOT_FOUND,
        PushError::Signature(_) => StatusCode::FORBIDDEN,
        PushError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        PushError::Parse(_) | PushError::Body(_) => StatusCode::BAD_REQUEST,
        PushError::Store(_) => {
            error!("websub delivery failed: {}", error_chain(e));
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

impl IntoResponse for ServeError {
    fn into_response(self) -> Response {
        let status = match &self {
            ServeError::BadQuery(_) => StatusCode::BAD_REQUEST,
            ServeError::NotFound(_) => StatusCode::NOT_FOUND,
            ServeError::Unauthorized => StatusCode::UNAUTHORIZED,
            ServeError::WebSub(e) => websub_status(e),
            ServeError::Store(_) | ServeError::Render(_) => {
                error!("request failed: {}", error_chain(&self));
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let body = match status {
            StatusCode::INTERNAL_SERVER_ERROR => "internal error; see the server log\n".to_owned(),
            _ => format!("{self}\n"),
        };
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"showfeed admin\""),
            );
        }
        response
    }
}

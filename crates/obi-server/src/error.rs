//! One error type for every handler: 4xx JSON says what was wrong; 5xx detail is logged only.

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A handler failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no or unknown API token.
    #[error("a valid API token is required (Authorization: Bearer TOKEN)")]
    Unauthorized,
    /// 403: the token is valid but not for this issuer or action.
    #[error("this API token may not act on {0}")]
    Forbidden(String),
    /// 404: nothing at this id.
    #[error("not found: {0}")]
    NotFound(String),
    /// 405: the route exists but does not take this method.
    #[error("this route does not take this HTTP method")]
    MethodNotAllowed,
    /// 413: the body is larger than the configured limit.
    #[error("request body is larger than the configured body_limit")]
    TooLarge,
    /// 415: the content type is not one the endpoint takes.
    #[error("unsupported content type: {0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed but not acceptable (e.g. not a badge).
    #[error("{0}")]
    Unprocessable(String),
    /// 500: storage failed (detail logged).
    #[error("storage error")]
    Store(#[from] crate::store::StoreError),
    /// 500: anything else internal (detail logged).
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Store(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Self::Store(e) => {
                tracing::error!(error = %e, "storage error");
                "internal error".to_owned()
            }
            Self::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                "internal error".to_owned()
            }
            other => other.to_string(),
        };
        let body = json!({
            "error": {
                "status": status.as_u16(),
                "code": status.canonical_reason().unwrap_or("error"),
                "message": message,
            }
        });
        (status, Json(body)).into_response()
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::TooLarge;
        }
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                Self::UnsupportedMediaType("expected Content-Type: application/json".into())
            }
            other => Self::BadRequest(other.body_text()),
        }
    }
}

/// `axum::Json` whose rejections are [`AppError`]s, so every error has one JSON shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

//! Extractors whose rejections use the error envelope: JSON bodies, query pairs,
//! path identifiers and API key authentication.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use clientela_domain::error::{FieldError, ValidationErrors};
use clientela_domain::tenant::{Actor, App};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

/// A JSON request body. Requires `Content-Type: application/json` and reports
/// syntax errors, wrong types and unknown fields in the error envelope, naming the
/// field.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::UnreadableBody(rejection.body_text())
                }
            })?;
        parse_json(&bytes).map(Self)
    }
}

fn has_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || (essence.len() > "+json".len()
            && essence.to_ascii_lowercase().starts_with("application/")
            && essence.to_ascii_lowercase().ends_with("+json"))
}

/// Parses a JSON object body. Bad syntax is a 400. A body that is not an object,
/// a value of the wrong type or an unknown field is a 422 that names the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::EmptyBody);
    }
    // Parsing to a value first separates syntax errors from shape errors, and
    // rejects arrays, which serde would otherwise accept for a struct.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| json_error(".", error))?;
    if !value.is_object() {
        let error = FieldError::new("body", "invalid_value", "the body is not a JSON object");
        return Err(ValidationErrors(vec![error]).into());
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        json_error(&path, error.into_inner())
    })
}

fn json_error(path: &str, error: serde_json::Error) -> ApiError {
    use serde_json::error::Category;

    match error.classify() {
        Category::Syntax | Category::Eof => ApiError::MalformedJson {
            line: error.line(),
            column: error.column(),
        },
        Category::Io => ApiError::UnreadableBody(error.to_string()),
        Category::Data => {
            let detail = error.to_string();
            let field_error = if let Some(name) = quoted_name(&detail, "unknown field `") {
                FieldError::new(name, "unknown_field", &detail)
            } else if let Some(name) = quoted_name(&detail, "missing field `") {
                FieldError::new(name, "required", &detail)
            } else if path == "." {
                FieldError::new("body", "invalid_value", &detail)
            } else {
                FieldError::new(path, "invalid_value", &detail)
            };
            ValidationErrors(vec![field_error]).into()
        }
    }
}

/// Extracts the name between backticks after `prefix` in a serde message, such as
/// `nickname` from "unknown field `nickname`, expected one of …".
fn quoted_name(detail: &str, prefix: &str) -> Option<String> {
    let rest = &detail[detail.find(prefix)? + prefix.len()..];
    let end = rest.find('`')?;
    Some(rest[..end].to_owned())
}

/// Deserializes a field that distinguishes "absent" (`None`, with
/// `#[serde(default)]`) from "null" (`Some(None)`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The query string as name and value pairs, in order. Values are parsed by the
/// handler so each bad value is reported with its parameter's name.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::MalformedQuery(rejection.body_text()))?;
        Ok(Self(pairs))
    }
}

/// Path parameters, with decoding failures reported in the error envelope.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(value) = Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::MalformedPath(rejection.body_text()))?;
        Ok(Self(value))
    }
}

/// Parses a path segment that must be a UUID; `name` is the route parameter.
pub fn path_uuid(raw: &str, name: &'static str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::InvalidPathId { name })
}

/// The app that an `Authorization: Bearer <API key>` header authenticates, and the
/// actor recorded in the audit log for changes made with the key.
pub struct Authenticated {
    pub app: App,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::MissingApiKey);
        };
        let value = value.to_str().map_err(|_| ApiError::InvalidApiKey)?;
        let (scheme, key) = value
            .trim()
            .split_once(' ')
            .ok_or(ApiError::InvalidApiKey)?;
        let key = key.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || key.is_empty() {
            return Err(ApiError::InvalidApiKey);
        }

        let Some((app, key_id)) = state.apps.authenticate(key).await? else {
            return Err(ApiError::InvalidApiKey);
        };
        tracing::Span::current().record("app_id", tracing::field::display(app.id));
        Ok(Self {
            app,
            actor: Actor::ApiKey(key_id),
        })
    }
}

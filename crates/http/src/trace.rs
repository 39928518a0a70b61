//! Request logging: one line per request with the method, the matched route,
//! the status and the latency.
//!
//! The route template (`/api/v1/clients/{id}`) is logged instead of the URI,
//! because query strings may carry CPFs, e-mails or phone numbers. Headers are
//! never logged, so API keys stay out of the logs.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use tower_http::trace::{MakeSpan, OnResponse};
use tracing::Span;

/// Opens the span of one request. `app_id` is filled in once the API key is
/// checked.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", MatchedPath::as_str);
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = route,
            app_id = tracing::field::Empty,
        )
    }
}

/// Logs the response's status and the latency in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        // Whole microseconds, so the logged value has at most three decimals.
        let latency_ms = latency.as_micros() as f64 / 1000.0;
        let status = response.status().as_u16();
        if response.status().is_server_error() {
            tracing::error!(status, latency_ms, "request failed");
        } else {
            tracing::info!(status, latency_ms, "request finished");
        }
    }
}

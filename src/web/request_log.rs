//! One log line per request: its method, the route it matched (the pattern, `/marches/{id}`),
//! the ids in its path, its status and time. Never the query string — searches hold
//! pseudonyms, and a `%0A` in one would start a forged line — and every value a client chose is
//! written escaped (`"12\nINFO …"` stays on its line).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing::field::{Empty, debug};
use tracing_actix_web::{RequestId, RootSpanBuilder};

/// The root span of each request, for `TracingLogger`.
pub struct RouteSpans;

impl RootSpanBuilder for RouteSpans {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "(aucune route)".to_owned());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.ids = Empty,
            http.status_code = Empty,
            request_id = %request_id,
            exception.message = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, error) = match outcome {
            Ok(response) => {
                let ids: Vec<(&str, &str)> = response.request().match_info().iter().collect();
                if !ids.is_empty() {
                    span.record("http.ids", debug(&ids));
                }
                let error = response.response().error().map(ToString::to_string);
                (response.status(), error)
            }
            Err(error) => (
                error.as_response_error().status_code(),
                Some(error.to_string()),
            ),
        };
        span.record("http.status_code", status.as_u16());
        if let Some(message) = error {
            span.record("exception.message", debug(message));
        }
    }
}

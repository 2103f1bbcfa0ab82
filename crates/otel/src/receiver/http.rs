//! The HTTP side of the receiver: `POST /v1/traces` with an `application/x-protobuf` body.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;

use super::{convert, ReceivedRequest, Store, Transport};

async fn traces(State(store): State<Arc<Store>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-protobuf") {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected application/x-protobuf, got {content_type:?}"),
        )
            .into_response();
    }
    let request = match ExportTraceServiceRequest::decode(body) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not an OTLP trace request: {e}"),
            )
                .into_response()
        }
    };
    let spans = convert::spans(&request, Transport::Http);
    let headers: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    store.add(
        ReceivedRequest {
            transport: Transport::Http,
            headers,
            spans: spans.len(),
        },
        spans,
    );
    let body = ExportTraceServiceResponse {
        partial_success: None,
    }
    .encode_to_vec();
    ([(header::CONTENT_TYPE, "application/x-protobuf")], body).into_response()
}

/// Serves `/v1/traces` on `listener` until the runtime stops.
pub(crate) async fn serve(listener: tokio::net::TcpListener, store: Arc<Store>) {
    let app = Router::new()
        .route("/v1/traces", post(traces))
        .with_state(store);
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("otlp receiver (http): {e}");
    }
}

//! The gRPC side of the receiver: `opentelemetry.proto.collector.trace.v1.TraceService`.

use std::collections::BTreeMap;
use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tokio_stream::wrappers::TcpListenerStream;

use super::{convert, ReceivedRequest, Store, Transport};

struct Sink {
    store: Arc<Store>,
}

#[tonic::async_trait]
impl TraceService for Sink {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let headers: BTreeMap<String, String> = request
            .metadata()
            .clone()
            .into_headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let body = request.into_inner();
        let spans = convert::spans(&body, Transport::Grpc);
        self.store.add(
            ReceivedRequest {
                transport: Transport::Grpc,
                headers,
                spans: spans.len(),
            },
            spans,
        );
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

/// Serves the trace service on `listener` until the runtime stops.
pub(crate) async fn serve(listener: tokio::net::TcpListener, store: Arc<Store>) {
    let result = tonic::transport::Server::builder()
        .add_service(TraceServiceServer::new(Sink { store }))
        .serve_with_incoming(TcpListenerStream::new(listener))
        .await;
    if let Err(e) = result {
        eprintln!("otlp receiver (grpc): {e}");
    }
}

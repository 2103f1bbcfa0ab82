//! The OpenTelemetry layer: turns `tracing` spans into OpenTelemetry spans and hands each,
//! when it closes, straight to the span processor (the batch exporter), with ids, name, kind,
//! attributes, events and status read from the span's fields.
//!
//! It keeps one small record per span in the registry's extensions and does nothing on
//! enter and exit, so a span polled many times by an async executor costs no more than one
//! polled once.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use opentelemetry::trace::{Event, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceState};
use opentelemetry::{InstrumentationScope, Key, KeyValue, Value};
use opentelemetry_sdk::trace::{
    IdGenerator, RandomIdGenerator, SpanData, SpanEvents, SpanLinks, SpanProcessor,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Span field naming the OpenTelemetry span (default: the `tracing` span's name).
const NAME_FIELD: &str = "otel.name";
/// Span field giving the span kind (`internal`, `client`, `server`, `producer`, `consumer`).
const KIND_FIELD: &str = "otel.kind";
/// Span field giving the status code (`ok` or `error`).
const STATUS_CODE_FIELD: &str = "otel.status_code";
/// Span field giving an error status with this description.
const STATUS_DESCRIPTION_FIELD: &str = "otel.status_description";
/// Event field that becomes the event's name.
const MESSAGE_FIELD: &str = "message";

/// The OpenTelemetry side of one open `tracing` span.
#[derive(Debug)]
pub(crate) struct OtelSpan {
    pub(crate) context: SpanContext,
    parent: SpanId,
    name: Cow<'static, str>,
    kind: SpanKind,
    start: SystemTime,
    attributes: Vec<KeyValue>,
    events: Vec<Event>,
    status: Status,
}

impl OtelSpan {
    fn set_status(&mut self, status: Status) {
        self.status = match (std::mem::replace(&mut self.status, Status::Unset), status) {
            // OK is final; unset never overrides.
            (Status::Ok, _) => Status::Ok,
            (old, Status::Unset) => old,
            // An error with a description wins over a bare one.
            (Status::Error { description: old }, Status::Error { description: new })
                if new.is_empty() =>
            {
                Status::Error { description: old }
            }
            (_, new) => new,
        };
    }

    fn set_attribute(&mut self, key: &'static str, value: Value) {
        match self.attributes.iter_mut().find(|kv| kv.key.as_str() == key) {
            Some(kv) => kv.value = value,
            None => self
                .attributes
                .push(KeyValue::new(Key::from_static_str(key), value)),
        }
    }
}

/// The layer; `sink` is `None` when nothing is exported (spans still get ids).
pub(crate) struct OtelLayer {
    sink: Option<Arc<dyn SpanProcessor>>,
    scope: InstrumentationScope,
    ids: RandomIdGenerator,
}

impl OtelLayer {
    pub(crate) fn new(sink: Option<Arc<dyn SpanProcessor>>, scope: InstrumentationScope) -> Self {
        OtelLayer {
            sink,
            scope,
            ids: RandomIdGenerator::default(),
        }
    }
}

impl<S> Layer<S> for OtelLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let parent = span
            .parent()
            .and_then(|p| p.extensions().get::<OtelSpan>().map(|d| d.context.clone()));
        let (trace_id, parent_id) = match parent {
            Some(p) => (p.trace_id(), p.span_id()),
            None => (self.ids.new_trace_id(), SpanId::INVALID),
        };
        let mut data = OtelSpan {
            context: SpanContext::new(
                trace_id,
                self.ids.new_span_id(),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent: parent_id,
            name: Cow::Borrowed(attrs.metadata().name()),
            kind: SpanKind::Internal,
            start: SystemTime::now(),
            attributes: Vec::with_capacity(attrs.fields().len()),
            events: Vec::new(),
            status: Status::Unset,
        };
        attrs.record(&mut SpanFields(&mut data));
        span.extensions_mut().insert(data);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(data) = span.extensions_mut().get_mut::<OtelSpan>() {
                values.record(&mut SpanFields(data));
            }
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        let Some(data) = extensions.get_mut::<OtelSpan>() else {
            return;
        };
        let meta = event.metadata();
        let mut fields = EventFields {
            name: None,
            attributes: vec![
                KeyValue::new("level", meta.level().as_str()),
                KeyValue::new("target", meta.target()),
            ],
        };
        event.record(&mut fields);
        if *meta.level() == Level::ERROR {
            data.set_status(Status::error(""));
        }
        data.events.push(Event::new(
            fields.name.unwrap_or(Cow::Borrowed("event")),
            SystemTime::now(),
            fields.attributes,
            0,
        ));
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let Some(data) = span.extensions_mut().remove::<OtelSpan>() else {
            return;
        };
        let Some(sink) = &self.sink else {
            return;
        };
        let mut events = SpanEvents::default();
        events.events = data.events;
        sink.on_end(SpanData {
            span_context: data.context,
            parent_span_id: data.parent,
            parent_span_is_remote: false,
            span_kind: data.kind,
            name: data.name,
            start_time: data.start,
            end_time: SystemTime::now(),
            attributes: data.attributes,
            dropped_attributes_count: 0,
            events,
            links: SpanLinks::default(),
            status: data.status,
            instrumentation_scope: self.scope.clone(),
        });
    }
}

/// Reads a span's fields: the `otel.*` ones set name, kind and status, every other one
/// becomes an attribute of the same name and type.
struct SpanFields<'a>(&'a mut OtelSpan);

impl SpanFields<'_> {
    fn text(&mut self, field: &Field, value: Cow<'_, str>) {
        let span = &mut *self.0;
        match field.name() {
            NAME_FIELD => span.name = Cow::Owned(value.into_owned()),
            KIND_FIELD => span.kind = span_kind(&value),
            STATUS_CODE_FIELD => span.set_status(status(&value)),
            STATUS_DESCRIPTION_FIELD => span.set_status(Status::error(value.into_owned())),
            name => span.set_attribute(name, Value::from(value.into_owned())),
        }
    }
}

impl Visit for SpanFields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, Cow::Borrowed(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, Cow::Owned(format!("{value:?}")));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.text(field, Cow::Owned(value.to_string()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.set_attribute(field.name(), Value::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.set_attribute(field.name(), u64_value(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.set_attribute(field.name(), Value::F64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.set_attribute(field.name(), Value::Bool(value));
    }
}

/// Reads an event's fields: `message` names the event, the rest become its attributes.
struct EventFields {
    name: Option<Cow<'static, str>>,
    attributes: Vec<KeyValue>,
}

impl EventFields {
    fn push(&mut self, field: &Field, value: Value) {
        self.attributes
            .push(KeyValue::new(Key::from_static_str(field.name()), value));
    }

    fn text(&mut self, field: &Field, value: String) {
        if field.name() == MESSAGE_FIELD {
            self.name = Some(Cow::Owned(value));
        } else {
            self.push(field, Value::from(value));
        }
    }
}

impl Visit for EventFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, format!("{value:?}"));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.text(field, value.to_string());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, Value::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, u64_value(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, Value::F64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, Value::Bool(value));
    }
}

/// A `u64` as OpenTelemetry has no unsigned integers: an `i64` when it fits, else its
/// decimal text.
fn u64_value(value: u64) -> Value {
    i64::try_from(value).map_or_else(|_| Value::from(value.to_string()), Value::I64)
}

fn span_kind(s: &str) -> SpanKind {
    const KINDS: [(&str, SpanKind); 5] = [
        ("internal", SpanKind::Internal),
        ("client", SpanKind::Client),
        ("server", SpanKind::Server),
        ("producer", SpanKind::Producer),
        ("consumer", SpanKind::Consumer),
    ];
    KINDS
        .iter()
        .find(|(name, _)| s.eq_ignore_ascii_case(name))
        .map_or(SpanKind::Internal, |(_, kind)| kind.clone())
}

fn status(s: &str) -> Status {
    if s.eq_ignore_ascii_case("ok") {
        Status::Ok
    } else if s.eq_ignore_ascii_case("error") {
        Status::error("")
    } else {
        Status::Unset
    }
}

/// The OpenTelemetry context of the span `id` of `dispatch`, when that span was seen by an
/// [`OtelLayer`] on a `tracing_subscriber` registry.
pub(crate) fn span_context(id: &Id, dispatch: &tracing::Dispatch) -> Option<SpanContext> {
    let registry = dispatch.downcast_ref::<tracing_subscriber::Registry>()?;
    let data = registry.span_data(id)?;
    let extensions = tracing_subscriber::registry::SpanData::extensions(&data);
    extensions.get::<OtelSpan>().map(|s| s.context.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::TraceId;

    #[test]
    fn status_keeps_ok_and_the_described_error() {
        let mut s = OtelSpan {
            context: SpanContext::empty_context(),
            parent: SpanId::INVALID,
            name: Cow::Borrowed("x"),
            kind: SpanKind::Internal,
            start: SystemTime::now(),
            attributes: Vec::new(),
            events: Vec::new(),
            status: Status::Unset,
        };
        s.set_status(Status::error("boom"));
        s.set_status(Status::error(""));
        assert_eq!(s.status, Status::error("boom"));
        s.set_status(Status::Unset);
        assert_eq!(s.status, Status::error("boom"));
        s.set_status(Status::Ok);
        s.set_status(Status::error("later"));
        assert_eq!(s.status, Status::Ok);
    }

    #[test]
    fn unsigned_numbers_stay_numbers_while_they_fit() {
        assert_eq!(u64_value(7), Value::I64(7));
        assert_eq!(u64_value(u64::MAX), Value::from(u64::MAX.to_string()));
    }

    #[test]
    fn kinds_and_codes_parse_in_any_case() {
        assert_eq!(span_kind("CLIENT"), SpanKind::Client);
        assert_eq!(span_kind("nonsense"), SpanKind::Internal);
        assert_eq!(status("Error"), Status::error(""));
        assert_eq!(status("OK"), Status::Ok);
        assert_eq!(status("maybe"), Status::Unset);
    }

    #[test]
    fn random_ids_are_valid() {
        let ids = RandomIdGenerator::default();
        assert_ne!(ids.new_trace_id(), TraceId::INVALID);
        assert_ne!(ids.new_span_id(), SpanId::INVALID);
    }
}

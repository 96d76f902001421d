-- The W3C trace context of the work that wrote a row (null when tracing is off), so the relay continues that trace
-- when it sends the row to Kafka: the traceparent and tracestate Kafka headers, see TraceParent.
alter table outbox add column if not exists traceparent text;
alter table outbox add column if not exists tracestate text;
alter table outbox_failed add column if not exists traceparent text;
alter table outbox_failed add column if not exists tracestate text;

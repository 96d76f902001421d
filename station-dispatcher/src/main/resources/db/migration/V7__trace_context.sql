-- The W3C trace context (null when tracing is off) of the work that recorded a fan-out job, and of the chunk or
-- request that last moved a pointer: the job's chunks continue the trace of the deployment event that made the job,
-- and the agent's assignment and its report continue the trace of the move (TraceParent in service-common).
alter table fanout_jobs add column traceparent text, add column tracestate text;
alter table pointers add column traceparent text, add column tracestate text;

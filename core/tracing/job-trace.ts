import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { ATTR } from './attributes.js';
import type { SpanRecorder } from './span-recorder.js';
import { markFailed } from './span-status.js';

/** A background job that is not a chat run (an ingest, an eval run): one trace of its own. */
export interface JobTraceStart {
  readonly kind: 'ingest' | 'eval';
  /** The root span's and trace's name, e.g. `ingest handbook`. */
  readonly name: string;
  readonly tenantId: string;
  /** The job's own id (an ingest job's, an eval run's): what ops search the trace by. */
  readonly jobId: string;
  readonly attributes?: Attributes;
}

export interface JobStepEnd {
  readonly attributes?: Attributes;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface JobTraceEnd {
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly attributes?: Attributes;
  readonly error?: { readonly code: string; readonly message: string } | null;
}

/** One job's trace: its root span, open until `end`. */
export interface JobTrace {
  /** Undefined when tracing is off. */
  readonly traceId: string | undefined;
  /** Something that happened at one moment (a document that failed), recorded on the root span. */
  event(name: string, attributes?: Attributes): void;
  /** A child span for one step of the job (one case of an eval); call the returned function when it ends. */
  step(name: string, attributes?: Attributes): (outcome?: JobStepEnd) => void;
  /** Ends the root span. Call once; later calls do nothing. */
  end(outcome: JobTraceEnd): void;
}

export const disabledJobTrace: JobTrace = {
  traceId: undefined,
  event: () => undefined,
  step: () => () => undefined,
  end: () => undefined,
};

/** Starts a job's root span; every span of the job carries its tenant and job id, as a run's carry theirs. */
export function startJobTrace(recorder: SpanRecorder, job: JobTraceStart): JobTrace {
  const common: Attributes = { [ATTR.tenantId]: job.tenantId, [ATTR.jobId]: job.jobId };
  const root = recorder.start(
    job.name,
    { ...job.attributes, [ATTR.spanKind]: job.kind, [ATTR.langfuseObservationType]: 'chain', [ATTR.langfuseTraceName]: job.name },
    undefined,
    common,
  );
  let ended = false;
  const close = (span: Span, attributes: Attributes | undefined, error: JobStepEnd['error'] | null | undefined) => {
    if (attributes) span.setAttributes(attributes);
    if (error) markFailed(span, error.message, error.code);
    else span.setStatus({ code: SpanStatusCode.OK });
    span.end();
  };
  return {
    traceId: root.traceId,
    event(name, attributes) {
      if (!ended) root.addEvent(name, attributes);
    },
    step(name, attributes) {
      const span = recorder.start(name, { ...attributes, [ATTR.spanKind]: job.kind }, root);
      let stepEnded = false;
      return (outcome = {}) => {
        if (stepEnded) return;
        stepEnded = true;
        close(span, outcome.attributes, outcome.error);
      };
    },
    end(outcome) {
      if (ended) return;
      ended = true;
      root.setAttribute(ATTR.jobStatus, outcome.status);
      close(root, outcome.attributes, outcome.status === 'failed' ? (outcome.error ?? { code: 'INTERNAL', message: 'job failed' }) : undefined);
    },
  };
}

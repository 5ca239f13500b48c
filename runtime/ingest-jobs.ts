import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { TrellisError, toTrellisError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { IngestCounts, IngestEvent } from '../rag/ingest.js';
import type { KnowledgeService } from '../rag/knowledge-service.js';

export type IngestJobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** `added`, `updated`, `unchanged`: what ingestion did with the file's documents (the strongest, for JSONL/CSV). */
export type IngestFileStatus = 'queued' | 'added' | 'updated' | 'unchanged' | 'failed';

export interface IngestFileOutcome {
  /** The file's path inside the upload; it becomes the document id and the citation's source. */
  readonly name: string;
  readonly bytes: number;
  readonly status: IngestFileStatus;
  /** Documents read from the file: one, or one per record of a JSONL or CSV file. */
  readonly documents: number;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** What a client polls: the job's state, each file's outcome, and the running counts. */
export interface IngestJob {
  readonly id: string;
  readonly tenantId: string;
  readonly kb: string;
  readonly status: IngestJobStatus;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly files: readonly IngestFileOutcome[];
  /** Files ingestion has finished reading, with or without an error. */
  readonly filesDone: number;
  readonly counts: IngestCounts;
  /** Whether the vector index was written as well as the keyword index; null until the job has run. */
  readonly dense: boolean | null;
  /** Why a failed job failed; per-file failures are in `files` and do not fail the job. */
  readonly error: { readonly code: string; readonly message: string; readonly hint: string } | null;
}

/**
 * A job's progress stream, numbered from 1 so a reconnecting client resumes after the last `seq` it saw. It opens
 * with `ingest-queued` (the whole job, every file listed) and closes with `ingest-end` (the final job).
 */
export type IngestJobEvent =
  | { readonly seq: number; readonly type: 'ingest-queued'; readonly job: IngestJob }
  | { readonly seq: number; readonly type: 'ingest-start'; readonly startedAt: string }
  | {
      readonly seq: number;
      readonly type: 'ingest-progress';
      readonly filesDone: number;
      readonly filesTotal: number;
      readonly counts: IngestCounts;
      readonly file: IngestFileOutcome;
    }
  | { readonly seq: number; readonly type: 'ingest-end'; readonly job: IngestJob };

// Omit per member of the union, so each event keeps its own fields.
type NewEvent = IngestJobEvent extends infer Event ? (Event extends unknown ? Omit<Event, 'seq'> : never) : never;

/** A folder the files of one upload are streamed into; it belongs to the job once submitted. */
export interface UploadStaging {
  readonly dir: string;
  /** Removes the folder and everything in it; safe to call more than once. */
  discard(): Promise<void>;
}

export interface IngestJobsOptions {
  readonly knowledge: KnowledgeService;
  /** Where uploads wait for their job, on the data dir's disk rather than a possibly memory-backed /tmp. */
  readonly stagingRoot: string;
  readonly logger: Logger;
  readonly generateId: () => string;
  readonly now: () => Date;
  /** How long a finished job stays readable. Default one hour. */
  readonly retentionMs?: number;
}

interface JobState {
  job: Mutable<Omit<IngestJob, 'files'>>;
  /** Each file's outcome by name, in upload order. */
  readonly files: Map<string, Mutable<IngestFileOutcome>>;
  readonly staging: UploadStaging;
  readonly abort: AbortController;
  readonly events: IngestJobEvent[];
  waiters: (() => void)[];
  closed: boolean;
  done: Promise<void>;
}

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

const ZERO_COUNTS: IngestCounts = { added: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, chunksIndexed: 0, chunksRemoved: 0 };
// A live process holds an upload for minutes at most; anything older in the staging root was left by a crash.
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

/**
 * The in-process queue of ingest jobs: an upload is accepted at once and ingested in the background through the
 * same KnowledgeService the CLI uses, one job at a time (ingestion is CPU-bound: parsing, chunking, embedding,
 * and running jobs one after another keeps search latency steady). Each job's staged files are removed when it
 * ends, however it ends. Jobs live in memory: after a restart they are gone, and re-uploading is cheap because
 * ingestion skips unchanged content.
 */
export class IngestJobs {
  private readonly jobs = new Map<string, JobState>();
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  private swept: Promise<void> | undefined;

  constructor(private readonly options: IngestJobsOptions) {}

  /** A fresh staging folder for one upload. */
  async stage(): Promise<UploadStaging> {
    this.assertOpen();
    this.swept ??= this.sweepStaleUploads();
    await this.swept;
    await mkdir(this.options.stagingRoot, { recursive: true });
    const dir = await mkdtemp(path.join(this.options.stagingRoot, 'upload-'));
    return { dir, discard: () => rm(dir, { recursive: true, force: true }) };
  }

  /** Queues the ingestion of a staged upload into an existing knowledge base; the staging now belongs to the job. */
  submit(request: { tenantId: string; kb: string; staging: UploadStaging; files: readonly { name: string; bytes: number }[] }): IngestJob {
    if (this.stopping) {
      void request.staging.discard();
      throw shuttingDown();
    }
    const files = new Map(
      request.files.map((file) => [file.name, { name: file.name, bytes: file.bytes, status: 'queued' as IngestFileStatus, documents: 0, error: null }]),
    );
    const state: JobState = {
      job: {
        id: this.options.generateId(),
        tenantId: request.tenantId,
        kb: request.kb,
        status: 'queued',
        createdAt: this.options.now().toISOString(),
        startedAt: null,
        finishedAt: null,
        filesDone: 0,
        counts: ZERO_COUNTS,
        dense: null,
        error: null,
      },
      files,
      staging: request.staging,
      abort: new AbortController(),
      events: [],
      waiters: [],
      closed: false,
      done: Promise.resolve(),
    };
    this.jobs.set(state.job.id, state);
    this.append(state, { type: 'ingest-queued', job: snapshot(state) });
    state.done = this.queue.then(() => this.run(state));
    this.queue = state.done;
    return snapshot(state);
  }

  /** The job as it is now. A job of another tenant or knowledge base is reported exactly like a missing one. */
  get(tenantId: string, kb: string, jobId: string): IngestJob {
    return snapshot(this.find(tenantId, kb, jobId));
  }

  /** The job's events after `afterSeq` (0 for all), then live ones until it ends or `signal` aborts. */
  async *events(tenantId: string, kb: string, jobId: string, afterSeq = 0, signal?: AbortSignal): AsyncGenerator<IngestJobEvent> {
    const state = this.find(tenantId, kb, jobId);
    let next = Math.max(0, afterSeq);
    while (!signal?.aborted) {
      if (next < state.events.length) {
        yield state.events[next]!;
        next += 1;
        continue;
      }
      if (state.closed) return;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        state.waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  /** Cancels the knowledge base's queued and running jobs and waits until they have stopped (before deleting it). */
  async cancelKnowledgeBase(tenantId: string, kb: string): Promise<void> {
    const affected = [...this.jobs.values()].filter((state) => state.job.tenantId === tenantId && state.job.kb === kb);
    for (const state of affected) state.abort.abort();
    await Promise.all(affected.map((state) => state.done));
  }

  /** Refuses new uploads, cancels every job and waits until each has removed its files. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const state of this.jobs.values()) state.abort.abort();
    await this.queue;
  }

  private async run(state: JobState): Promise<void> {
    const { job } = state;
    const { knowledge, now } = this.options;
    try {
      if (state.abort.signal.aborted) {
        job.status = 'cancelled';
        return;
      }
      job.status = 'running';
      job.startedAt = now().toISOString();
      this.append(state, { type: 'ingest-start', startedAt: job.startedAt });
      // The knowledge base may have been deleted while the job waited; ingest() would quietly create it again.
      knowledge.knowledgeBases.getByName(job.tenantId, job.kb);
      const summary = await knowledge.ingest({
        tenantId: job.tenantId,
        kb: job.kb,
        root: state.staging.dir,
        signal: state.abort.signal,
        onEvent: (event) => this.observe(state, event),
      });
      const { added, updated, unchanged, deleted, failed, chunksIndexed, chunksRemoved } = summary;
      job.counts = { added, updated, unchanged, deleted, failed, chunksIndexed, chunksRemoved };
      job.dense = summary.dense;
      job.status = 'completed';
    } catch (error) {
      if (state.abort.signal.aborted) {
        job.status = 'cancelled';
      } else {
        const failure = toTrellisError(error, 'INTERNAL', 'ingest job failed');
        if (failure.status >= 500) this.options.logger.error({ err: error, jobId: job.id }, 'ingest job failed');
        job.status = 'failed';
        job.error = { code: failure.code, message: failure.message, hint: failure.hint };
      }
    } finally {
      await state.staging.discard().catch((error: unknown) => {
        this.options.logger.warn({ err: error, dir: state.staging.dir }, 'could not remove an upload folder');
      });
      job.finishedAt = now().toISOString();
      this.append(state, { type: 'ingest-end', job: snapshot(state) });
      state.closed = true;
      wake(state);
      setTimeout(() => this.jobs.delete(job.id), this.options.retentionMs ?? 60 * 60 * 1000).unref();
    }
  }

  /** Folds ingestion's own events into the job: each file's outcome and the running counts. */
  private observe(state: JobState, event: IngestEvent): void {
    const { job } = state;
    if (event.type === 'ingest-progress') {
      const before = job.counts;
      const file = state.files.get(event.source);
      if (file) {
        const status: IngestFileStatus =
          event.counts.added > before.added ? 'added' : event.counts.updated > before.updated ? 'updated' : 'unchanged';
        file.documents += 1;
        if (file.status === 'queued' || rank(status) > rank(file.status)) file.status = status;
      }
      job.counts = event.counts;
      job.filesDone = event.filesDone;
      if (file) this.progress(state, file);
    } else if (event.type === 'document-error') {
      const file = state.files.get(event.path);
      job.counts = { ...job.counts, failed: job.counts.failed + 1 };
      job.filesDone += 1;
      if (file) {
        file.status = 'failed';
        file.error = { code: event.code, message: event.message };
        this.progress(state, file);
      }
    }
  }

  private progress(state: JobState, file: IngestFileOutcome): void {
    const { job } = state;
    this.append(state, { type: 'ingest-progress', filesDone: job.filesDone, filesTotal: state.files.size, counts: job.counts, file: { ...file } });
  }

  private append(state: JobState, event: NewEvent): void {
    state.events.push({ ...event, seq: state.events.length + 1 } as IngestJobEvent);
    wake(state);
  }

  private find(tenantId: string, kb: string, jobId: string): JobState {
    const state = this.jobs.get(jobId);
    if (!state || state.job.tenantId !== tenantId || state.job.kb !== kb) {
      throw new TrellisError('INGEST_JOB_NOT_FOUND', `ingest job ${jobId} not found in knowledge base ${kb}`);
    }
    return state;
  }

  private assertOpen(): void {
    if (this.stopping) throw shuttingDown();
  }

  private async sweepStaleUploads(): Promise<void> {
    const { stagingRoot, now, logger } = this.options;
    const entries = await readdir(stagingRoot).catch(() => [] as string[]);
    for (const entry of entries) {
      const dir = path.join(stagingRoot, entry);
      const stats = await stat(dir).catch(() => undefined);
      if (stats && now().getTime() - stats.mtimeMs > STALE_UPLOAD_MS) {
        await rm(dir, { recursive: true, force: true });
        logger.info({ dir }, 'removed an upload left behind by an earlier process');
      }
    }
  }
}

function shuttingDown(): TrellisError {
  return new TrellisError('SERVER_SHUTTING_DOWN', 'the server is shutting down and takes no new uploads');
}

function rank(status: IngestFileStatus): number {
  return ['queued', 'unchanged', 'updated', 'added', 'failed'].indexOf(status);
}

function wake(state: JobState): void {
  const waiters = state.waiters;
  state.waiters = [];
  for (const resume of waiters) resume();
}

function snapshot(state: JobState): IngestJob {
  return { ...state.job, counts: { ...state.job.counts }, files: [...state.files.values()].map((file) => ({ ...file })) };
}

import {
  BaseCheckpointSaver,
  MemorySaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from '@langchain/langgraph-checkpoint';
import type { RunnableConfig } from '@langchain/core/runnables';

/**
 * A checkpoint saver that keeps some threads in memory: those of runs nobody returns to (a stateless request's
 * thread), whose state would otherwise be written to the store and deleted again a moment later. Every other thread
 * goes to the durable saver it wraps, unchanged.
 *
 * A thread is held in memory from `hold` until `keep` (its checkpoints and pending writes are then written to the
 * durable saver, and it is an ordinary thread: a run that stopped for an approval is resumed from there) or
 * `discard`. Each held thread has a MemorySaver of its own, so forgetting one costs nothing however many are held.
 *
 * @example
 * const saver = new TemporaryThreadsSaver(sqliteSaver);
 * const graph = builder.compile({ checkpointer: saver });
 * saver.hold(threadId);
 * const result = await graph.invoke(input, { configurable: { thread_id: threadId } });
 * if (result.__interrupt__) await saver.keep(threadId); else saver.discard(threadId);
 */
export class TemporaryThreadsSaver extends BaseCheckpointSaver {
  private readonly held = new Map<string, MemorySaver>();

  constructor(private readonly durable: BaseCheckpointSaver) {
    super(durable.serde);
  }

  /** Whether the thread's state is in memory. */
  holds(threadId: string): boolean {
    return this.held.has(threadId);
  }

  /** Keeps the thread's checkpoints in memory from now on. It must have none in the durable saver. */
  hold(threadId: string): void {
    if (!this.held.has(threadId)) this.held.set(threadId, new MemorySaver(this.serde));
  }

  /** Writes the held thread's checkpoints (oldest first, every namespace) and pending writes to the durable saver. */
  async keep(threadId: string): Promise<void> {
    const memory = this.held.get(threadId);
    if (!memory) return;
    const tuples: CheckpointTuple[] = [];
    for await (const tuple of memory.list({ configurable: { thread_id: threadId } })) tuples.push(tuple);
    // Checkpoint ids sort by time; a namespace's parent checkpoint is written before its children.
    tuples.sort((a, b) => String(a.checkpoint.id).localeCompare(String(b.checkpoint.id)));
    for (const tuple of tuples) {
      const namespace = tuple.config.configurable?.checkpoint_ns ?? '';
      const parent = tuple.parentConfig ?? { configurable: { thread_id: threadId, checkpoint_ns: namespace } };
      // Every channel's version is new to the durable saver: savers that store channels apart (Postgres) write them all.
      const saved = await this.durable.put(parent, tuple.checkpoint, tuple.metadata ?? ({} as CheckpointMetadata), { ...tuple.checkpoint.channel_versions });
      const byTask = new Map<string, PendingWrite[]>();
      for (const [taskId, channel, value] of tuple.pendingWrites ?? []) {
        const writes = byTask.get(taskId) ?? [];
        writes.push([channel, value]);
        byTask.set(taskId, writes);
      }
      for (const [taskId, writes] of byTask) await this.durable.putWrites(saved, writes, taskId);
    }
    this.held.delete(threadId);
  }

  /** Forgets the held thread. */
  discard(threadId: string): void {
    this.held.delete(threadId);
  }

  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.saverOf(config).getTuple(config);
  }

  override list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    return typeof config.configurable?.thread_id === 'string' ? this.saverOf(config).list(config, options) : this.listEverywhere(config, options);
  }

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    return this.saverOf(config).put(config, checkpoint, metadata, newVersions);
  }

  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, ...rest: unknown[]): Promise<void> {
    return (this.saverOf(config).putWrites as (...args: unknown[]) => Promise<void>)(config, writes, taskId, ...rest);
  }

  override async deleteThread(threadId: string): Promise<void> {
    if (this.held.delete(threadId)) return;
    await this.durable.deleteThread(threadId);
  }

  override getNextVersion(current: number | undefined): number {
    return this.durable.getNextVersion(current);
  }

  /** A list across threads: the durable saver's, then each held thread's, within one limit. */
  private async *listEverywhere(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    let left = options?.limit ?? Number.POSITIVE_INFINITY;
    for (const saver of [this.durable, ...this.held.values()]) {
      if (left <= 0) return;
      for await (const tuple of saver.list(config, { ...options, limit: Number.isFinite(left) ? left : undefined })) {
        yield tuple;
        left -= 1;
      }
    }
  }

  private saverOf(config: RunnableConfig): BaseCheckpointSaver {
    const threadId = config.configurable?.thread_id;
    return (typeof threadId === 'string' ? this.held.get(threadId) : undefined) ?? this.durable;
  }
}

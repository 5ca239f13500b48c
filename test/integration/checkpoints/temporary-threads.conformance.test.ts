import type { RunnableConfig } from '@langchain/core/runnables';
import type { ChannelVersions, Checkpoint, CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { describe } from 'vitest';
import { createCheckpointer, type Checkpointer } from '../../../core/checkpointer.js';
import { silentLogger } from '../../../core/logger.js';
import { TemporaryThreadsSaver } from '../../../core/temporary-threads-saver.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { describeCheckpointerConformance } from './conformance.js';

/** Holds every thread it is given, so that the suite runs on the in-memory side of the saver alone. */
class HoldingEveryThread extends TemporaryThreadsSaver {
  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id;
    if (typeof threadId === 'string') this.hold(threadId);
    return super.put(config, checkpoint, metadata, newVersions);
  }
}

describe('TemporaryThreadsSaver conformance, every thread held in memory', () => {
  describeCheckpointerConformance({
    // Named as upstream names MemorySaver: the held threads are MemorySavers, with their known limitations.
    name: 'MemorySaver',
    async create() {
      const temp = makeTempDir('trellis-temporary-checkpoints-');
      const durable = await createCheckpointer({ settings: { provider: 'sqlite', schema: 'public' }, dataDir: temp.dir, logger: silentLogger });
      const checkpointer: Checkpointer = { ...durable, saver: new HoldingEveryThread(durable.saver) };
      return {
        checkpointer,
        async destroy() {
          await durable.close();
          temp.remove();
        },
      };
    },
  });
});

import { describe } from 'vitest';
import { createCheckpointer } from '../../../core/checkpointer.js';
import { silentLogger } from '../../../core/logger.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { describeCheckpointerConformance } from './conformance.js';

describe('createCheckpointer({ provider: sqlite }) conformance', () => {
  describeCheckpointerConformance({
    // The package's name, as upstream's own SQLite initializer uses: the suite keys its known-limitation skips by it
    // (one test, "should only store channel_values that have changed": SqliteSaver stores whole checkpoints).
    name: '@langchain/langgraph-checkpoint-sqlite',
    async create() {
      // A fresh data dir per spec group: the suite requires that no instance sees another's checkpoints.
      const temp = makeTempDir('trellis-checkpoints-');
      const checkpointer = await createCheckpointer({
        settings: { provider: 'sqlite', schema: 'public' },
        dataDir: temp.dir,
        logger: silentLogger,
      });
      return {
        checkpointer,
        async destroy() {
          await checkpointer.close();
          temp.remove();
        },
      };
    },
  });
});

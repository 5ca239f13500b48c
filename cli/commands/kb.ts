import { Command } from 'commander';
import { withRuntime } from '../with-runtime.js';

/** `trellis kb list|reindex|delete`: manage knowledge bases. */
export function createKbCommand(): Command {
  const kb = new Command('kb').description('list, rebuild or delete knowledge bases');
  kb.command('list')
    .description('knowledge bases of a tenant, with their document and chunk counts')
    .option('--tenant <id>', 'tenant', 'default')
    .action(async (flags: { tenant: string }) => {
      await withRuntime(async (runtime) => {
        const { knowledgeBases, documents } = runtime.knowledge;
        const rows = knowledgeBases.list(flags.tenant);
        if (rows.length === 0) process.stdout.write(`tenant ${flags.tenant} has no knowledge bases\n`);
        for (const base of rows) {
          const docs = documents.documentIds(base.id).length;
          const vectors = base.embedder ? `${base.embedder} (${base.dimensions} dims)` : 'keyword only';
          process.stdout.write(`${base.name}\t${docs} documents\t${documents.countChunks(base.id)} chunks\t${vectors}\n`);
        }
      });
    });
  kb.command('reindex')
    .description('rebuild the keyword and vector indexes from the stored chunks (after changing the embedder)')
    .argument('<name>', 'knowledge base')
    .option('--tenant <id>', 'tenant', 'default')
    .action(async (name: string, flags: { tenant: string }) => {
      const result = await withRuntime((runtime) => runtime.knowledge.reindex({ tenantId: flags.tenant, kb: name }));
      process.stdout.write(`reindexed ${result.chunks} chunks of ${name}${result.dense ? '' : ' (keyword index only)'}\n`);
    });
  kb.command('delete')
    .description('delete a knowledge base, its documents and its indexes')
    .argument('<name>', 'knowledge base')
    .option('--tenant <id>', 'tenant', 'default')
    .action(async (name: string, flags: { tenant: string }) => {
      await withRuntime((runtime) => runtime.knowledge.delete({ tenantId: flags.tenant, kb: name }));
      process.stdout.write(`deleted ${name}\n`);
    });
  return kb;
}

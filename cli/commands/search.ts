import { Command, Option } from 'commander';
import { withRuntime } from '../with-runtime.js';

interface SearchFlags {
  kb: string;
  tenant: string;
  mode: 'dense' | 'keyword' | 'hybrid';
  k?: number;
  json?: boolean;
}

/** `trellis search "<query>" --kb <name>`: passages with their citations and why they ranked. */
export function createSearchCommand(): Command {
  return new Command('search')
    .description('search a knowledge base')
    .argument('<query>', 'what to look for')
    .requiredOption('--kb <name>', 'knowledge base')
    .option('--tenant <id>', 'tenant that owns the knowledge base', 'default')
    .addOption(new Option('--mode <mode>', 'retrieval mode').choices(['dense', 'keyword', 'hybrid']).default('hybrid'))
    .option('-k <count>', 'how many passages', (value) => Number.parseInt(value, 10))
    .option('--json', 'print the result as JSON')
    .action(async (query: string, flags: SearchFlags) => {
      const result = await withRuntime((runtime, signal) =>
        runtime.knowledge.search({ tenantId: flags.tenant, kb: flags.kb, query, mode: flags.mode, topK: flags.k, signal }),
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      if (result.notice) process.stderr.write(`note: ${result.notice}\n`);
      result.hits.forEach((hit, index) => {
        const { citation } = hit;
        const where = `${citation.source}${citation.page ? ` p.${citation.page}` : ''} [${citation.start}-${citation.end}]`;
        const why = Object.entries(hit.why)
          .map(([list, entry]) => `${list} #${entry.rank}`)
          .join(', ');
        process.stdout.write(`${index + 1}. ${where}  score ${hit.score.toFixed(3)} (${why})\n   ${hit.text.replace(/\s+/g, ' ').slice(0, 240)}\n`);
      });
      if (result.hits.length === 0) process.stdout.write('no passages found\n');
    });
}

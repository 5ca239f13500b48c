import { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { IngestEvent, IngestSummary } from '../../rag/ingest.js';
import { withRuntime } from '../with-runtime.js';

interface IngestFlags {
  kb: string;
  tenant: string;
  sync?: boolean;
  include?: string[];
  exclude?: string[];
  json?: boolean;
}

/** `trellis ingest <path> --kb <name>`: index a folder; re-running it only touches what changed. */
export function createIngestCommand(): Command {
  return new Command('ingest')
    .description('index a folder of documents (md, txt, html, pdf, docx, jsonl, csv) into a knowledge base')
    .argument('<path>', 'folder to ingest')
    .requiredOption('--kb <name>', 'knowledge base (created when missing)')
    .option('--tenant <id>', 'tenant that owns the knowledge base', 'default')
    .option('--sync', 'remove documents that are no longer in the folder')
    .option('--include <glob...>', 'only files matching these globs')
    .option('--exclude <glob...>', 'leave out files matching these globs')
    .option('--json', 'print the summary as JSON')
    .action(async (root: string, flags: IngestFlags) => {
      const summary = await withRuntime(async (runtime, signal) => {
        const progress = createProgress(!flags.json && Boolean(process.stderr.isTTY));
        try {
          return await runtime.knowledge.ingest({
            tenantId: flags.tenant,
            kb: flags.kb,
            root,
            sync: flags.sync,
            include: flags.include,
            exclude: flags.exclude,
            signal,
            onEvent: progress.onEvent,
          });
        } finally {
          progress.stop();
        }
      });
      printSummary(summary, Boolean(flags.json));
      if (summary.failed > 0) process.exitCode = 2;
    });
}

function createProgress(enabled: boolean): { onEvent: (event: IngestEvent) => void; stop: () => void } {
  if (!enabled) {
    return {
      onEvent: (event) => {
        if (event.type === 'document-error') process.stderr.write(`error ${event.code}: ${event.path}: ${event.message}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {value}/{total} files | {chunks} chunks | {failed} failed | {source}', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  return {
    onEvent(event) {
      if (event.type === 'ingest-listed') bar.start(event.files, 0, { chunks: 0, failed: 0, source: '' });
      if (event.type === 'ingest-progress') {
        bar.update(event.filesDone, { chunks: event.counts.chunksIndexed, failed: event.counts.failed, source: event.source });
      }
      if (event.type === 'document-error') bar.increment(1, { source: `${event.path}: ${event.code}` });
    },
    stop: () => bar.stop(),
  };
}

function printSummary(summary: IngestSummary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  process.stdout.write(
    `knowledge base ${summary.kb}: ${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
      `${summary.deleted} deleted, ${summary.failed} failed; ${summary.chunksIndexed} chunks indexed, ` +
      `${summary.chunksRemoved} removed in ${summary.seconds.toFixed(1)} s` +
      (summary.dense ? '' : ' (keyword index only: no embedder or vector store available)') +
      '\n',
  );
  for (const failure of summary.failures) process.stdout.write(`  error ${failure.code}: ${failure.path}: ${failure.message}\n`);
}

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from './temp-dir.js';
import { createTestRuntime } from './test-runtime.js';

/**
 * A runtime whose tenant `acme` has a small `help` knowledge base (password reset, billing): the shared fixture of
 * the graph tests that answer from documents.
 */
export async function createHelpDeskRuntime(): Promise<Awaited<ReturnType<typeof createTestRuntime>>> {
  const corpus = makeTempDir('trellis-help-desk-');
  writeFileSync(path.join(corpus.dir, 'reset.md'), '# Password reset\n\nTo reset your password, open Settings and choose Security, then Reset password.\n');
  writeFileSync(path.join(corpus.dir, 'billing.md'), '# Billing\n\nInvoices are sent on the first day of every month by email.\n');
  const runtime = await createTestRuntime();
  try {
    await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'help', root: corpus.dir });
  } finally {
    corpus.remove();
  }
  return runtime;
}

import { ATTR } from './attributes.js';
import { boundedJson, boundedText } from './span-content.js';
import { currentRunSpans, currentTaskPath } from './trace-scope.js';

/**
 * A tool call (a Trellis tool run by a graph's tools node) as a span of the run it is made in, under its node; what
 * runs inside it (a search, a model call) hangs under the tool's span. Outside a traced run it just runs.
 */
export async function reportToolRun<T>(name: string, input: unknown, work: () => Promise<T>): Promise<T> {
  const run = currentRunSpans();
  if (!run) return work();
  const taskPath = currentTaskPath();
  const span = run.start(
    `tool ${name}`,
    'tool',
    'tool',
    {
      [ATTR.genAiOperation]: 'execute_tool',
      [ATTR.genAiToolName]: name,
    },
    run.parentOf(taskPath),
  );
  // The arguments come from the model's message, which does not change: serialised when the span leaves.
  if (run.keepContent) span.later(() => ({ attributes: { [ATTR.langfuseInput]: boundedText(JSON.stringify(input) ?? '') } }));
  let output: T;
  run.enter(taskPath, span);
  try {
    output = await work();
  } catch (error) {
    run.fail(span, error);
    throw error;
  } finally {
    run.leave(taskPath, span);
  }
  // Serialised when the span leaves (within a fraction of a second): a tool's result is a value it has handed over.
  run.succeed(span, run.keepContent ? () => ({ attributes: { [ATTR.langfuseOutput]: boundedJson(output) } }) : undefined);
  return output;
}

/** What a retrieval searched: shown on its span. */
export interface RetrievalDescription {
  readonly kb: string;
  readonly query: string;
  /** The mode asked for; the knowledge service's default (`hybrid`) when absent. */
  readonly mode?: string;
}

/** A passage a retrieval found, as its span shows it. */
export interface RetrievedPassage {
  readonly text: string;
  readonly source: string;
  readonly score: number;
  readonly chunkId: string;
}

/**
 * A knowledge-base search as a retrieval span (see `reportToolRun`); `passagesOf` turns its result into the passages
 * the span shows (their count and, when content is kept, their text and sources).
 */
export async function reportRetrieverRun<T>(
  retrieval: RetrievalDescription,
  work: () => Promise<T>,
  passagesOf: (result: T) => readonly RetrievedPassage[],
): Promise<T> {
  const run = currentRunSpans();
  if (!run) return work();
  const span = run.start(
    `retrieve ${retrieval.kb}`,
    'retrieval',
    'retriever',
    {
      [ATTR.retrievalKb]: retrieval.kb,
      [ATTR.retrievalMode]: retrieval.mode ?? 'hybrid',
      ...(run.keepContent ? { [ATTR.langfuseInput]: boundedText(retrieval.query) } : {}),
    },
    run.parentOf(currentTaskPath()),
  );
  let result: T;
  try {
    result = await work();
  } catch (error) {
    run.fail(span, error);
    throw error;
  }
  // The search result is the caller's to use: its passages are taken now, their JSON made on the export thread.
  const passages = passagesOf(result);
  span.setAttribute(ATTR.retrievalHits, passages.length);
  if (run.keepContent) span.setContent(ATTR.langfuseOutput, passages);
  run.succeed(span);
  return result;
}

/** The JSON value in a model's answer: the whole text, else a fenced block, else the outermost {...} or [...]. */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const fenced = /```(?:json)?\s*\n?([\s\S]*?)```/i.exec(text)?.[1];
  const candidates = [text, fenced, span(text, '{', '}'), span(text, '[', ']')];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate.trim() === '') continue;
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch {
      // not this one; try the next candidate
    }
  }
  return { ok: false };
}

function span(text: string, open: string, close: string): string | undefined {
  const start = text.indexOf(open);
  const end = text.lastIndexOf(close);
  return start !== -1 && end > start ? text.slice(start, end + 1) : undefined;
}

import { describe, expect, it } from 'vitest';
import { createRedactor, type RedactionSettings } from '../../../core/tracing/redactor.js';
import { createTracedRuntime, runTracedAgent, SECRETS, WRONG_KB_MESSAGE } from './traced-agent.js';

const ALL: RedactionSettings = { emails: true, phoneNumbers: true, apiKeys: true, patterns: [] };

describe('the redactor', () => {
  const redact = createRedactor({ ...ALL, patterns: ['ACME-\\d{6}'] });

  it.each([
    ['an email', 'write to jane.doe+work@mail.example.co.uk today', 'write to [REDACTED:email] today'],
    ['phone numbers', 'call +1 (415) 555-0100, 415-555-0100 or +44 20 7946 0958', 'call [REDACTED:phone], [REDACTED:phone] or [REDACTED:phone]'],
    ['a phone number without separators', 'text +4915112345678', 'text [REDACTED:phone]'],
    ['a Trellis API key', 'key trl_abcdefghijkl_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq', 'key [REDACTED:key]'],
    ['OpenAI and Anthropic keys', 'sk-proj-abcdefghijklmnopqrstuv and sk-ant-api03-abcdefghijklmnop', '[REDACTED:key] and [REDACTED:key]'],
    ['a bearer token', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: Bearer [REDACTED:key]'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '[REDACTED:jwt]'],
    ['AWS and GitHub keys', 'AKIAIOSFODNN7EXAMPLE ghp_abcdefghijklmnopqrstuvwxyz12', '[REDACTED:key] [REDACTED:key]'],
    ['secrets named in JSON and query strings', '{"api_key": "hunter2hunter2"} ?password=correcthorse&x=1', '{"api_key": "[REDACTED]"} ?password=[REDACTED]&x=1'],
    ['a custom pattern', 'ticket ACME-123456 is open', 'ticket [REDACTED] is open'],
  ])('masks %s', (_kind, text, masked) => {
    expect(redact(text)).toBe(masked);
  });

  it('leaves numbers that are not phone numbers: dates, times, versions, IP addresses, ids, sums', () => {
    const text = 'on 2024-01-31 at 12:30:45, v1.2.3 from 192.168.100.200, id 3c3e3c31-3756-597d-98d4-2cb76a9bf3b7, 2 + 2 = 4, 1234.56';
    expect(redact(text)).toBe(text);
  });

  it('masks only what is switched on', () => {
    const text = 'jane@example.com +1 415 555 0100 sk-abcdefghijklmnopqrstu';
    expect(createRedactor({ ...ALL, emails: false })(text)).toBe('jane@example.com [REDACTED:phone] [REDACTED:key]');
    expect(createRedactor({ emails: false, phoneNumbers: false, apiKeys: false, patterns: [] })(text)).toBe(text);
  });

  it('refuses a pattern that is not a regular expression, with CONFIG_INVALID', () => {
    expect(() => createRedactor({ ...ALL, patterns: ['(unclosed'] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('redaction in the pipeline', () => {
  it('masks custom patterns and phone numbers in every span attribute before the local store gets it', async () => {
    const runtime = await createTracedRuntime({ tracing: { redact: { patterns: ['ACME-\\d{6}'] } } });
    try {
      const run = await runTracedAgent(runtime, 'Ticket ACME-123456, call me on +1 415 555 0100. What is 2+2?');
      await runtime.tracing.flush();
      const stored = JSON.stringify(runtime.db.prepare('SELECT * FROM trace_spans WHERE run_id = ?').all(run.id));
      expect(stored).not.toContain('ACME-123456');
      expect(stored).not.toContain('555 0100');
      expect(stored).toContain('Ticket [REDACTED], call me on [REDACTED:phone].');
    } finally {
      await runtime.dispose();
    }
  });

  it('masks error messages and exception events too', async () => {
    const runtime = await createTracedRuntime();
    try {
      const run = await runTracedAgent(runtime, WRONG_KB_MESSAGE);
      expect(run.status).toBe('completed');
      await runtime.tracing.flush();
      const rows = runtime.db.prepare('SELECT * FROM trace_spans WHERE run_id = ?').all(run.id) as { name: string; status: string; status_message: string; events: string }[];
      // The model asked for a knowledge base named after the user's email: the failure message quotes it.
      const failed = rows.filter((row) => row.status === 'error').map((row) => row.name).sort();
      expect(failed).toEqual(['retrieve [REDACTED:email]', 'tool knowledge_search']);
      for (const row of rows.filter((candidate) => candidate.status === 'error')) {
        expect(row.status_message).toContain('knowledge base [REDACTED:email] not found');
        expect(row.events).toContain('[REDACTED:email]');
      }
      expect(JSON.stringify(rows)).not.toContain(SECRETS.email);
    } finally {
      await runtime.dispose();
    }
  });

  it('refuses to start with a pattern that is not a regular expression', async () => {
    await expect(createTracedRuntime({ tracing: { redact: { patterns: ['[a-'] } } })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

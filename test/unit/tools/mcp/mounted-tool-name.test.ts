import { describe, expect, it } from 'vitest';
import { mountedToolName } from '../../../../tools/mcp/mounted-tool-name.js';

const REGISTRY_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

describe('mountedToolName', () => {
  it('joins server and tool in snake_case, as the registry and providers accept', () => {
    expect(mountedToolName('github', 'createIssue')).toBe('github_create_issue');
    expect(mountedToolName('file-system', 'read.file')).toBe('file_system_read_file');
    expect(mountedToolName('Docs', 'search__v2')).toBe('docs_search_v2');
    expect(mountedToolName('x', '---')).toBe('x_tool');
  });

  it('keeps long names within 64 characters, still apart from each other', () => {
    const a = mountedToolName('server', `${'very_long_'.repeat(10)}a`);
    const b = mountedToolName('server', `${'very_long_'.repeat(10)}b`);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(b.length).toBeLessThanOrEqual(64);
    expect(a).not.toBe(b);
    expect([a, b].every((name) => REGISTRY_NAME.test(name))).toBe(true);
  });
});

import { createHash } from 'node:crypto';

const MAX_NAME_LENGTH = 64;

/**
 * The registry name of an external server's tool: `<server>_<tool>` in snake_case (what the registry and every
 * model provider accept), at most 64 characters (a long one keeps a hash of the full name, so two stay apart).
 *
 * @example
 * mountedToolName('github', 'createIssue');   // 'github_create_issue'
 * mountedToolName('file-system', 'read.file'); // 'file_system_read_file'
 */
export function mountedToolName(server: string, tool: string): string {
  const name = `${snakeCase(server)}_${snakeCase(tool) || 'tool'}`;
  if (name.length <= MAX_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(`${server}\u0000${tool}`).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME_LENGTH - hash.length - 1).replace(/_+$/, '')}_${hash}`;
}

function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

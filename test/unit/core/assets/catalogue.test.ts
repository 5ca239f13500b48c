import { describe, expect, it } from 'vitest';
import { ASSET_CATALOGUE, assetBytes, defaultAsset, findAsset, type AssetKind } from '../../../../core/assets/catalogue.js';
import { TrellisError } from '../../../../core/errors.js';

describe('ASSET_CATALOGUE', () => {
  it('has unique names', () => {
    const names = ASSET_CATALOGUE.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has exactly one default per kind', () => {
    const kinds: AssetKind[] = ['embedding', 'reranker', 'chat'];
    for (const kind of kinds) {
      expect(ASSET_CATALOGUE.filter((entry) => entry.kind === kind && entry.isDefault)).toHaveLength(1);
    }
  });

  it.each(ASSET_CATALOGUE.map((entry) => [entry.name, entry] as const))('pins every file of %s', (_, entry) => {
    expect(entry.source.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(entry.files.map((file) => file.path)).toContain(entry.model);
    expect(new Set(entry.files.map((file) => file.path)).size).toBe(entry.files.length);
    for (const file of entry.files) {
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isInteger(file.bytes) && file.bytes > 0).toBe(true);
      expect(file.path.split('/')).not.toContain('..');
      expect(file.path.startsWith('/')).toBe(false);
      expect(file.url).toBe(`${entry.source.repo}/resolve/${entry.source.revision}/${file.path}`);
    }
    expect(assetBytes(entry)).toBe(entry.files.reduce((total, file) => total + file.bytes, 0));
  });

  it('knows the names the default settings use', () => {
    expect(findAsset('bge-small-en-v1.5')).toMatchObject({ kind: 'embedding', dimensions: 384, pooling: 'cls' });
    expect(findAsset('ms-marco-minilm-l6-v2').kind).toBe('reranker');
    expect(defaultAsset('embedding')?.name).toBe('bge-small-en-v1.5');
    expect(defaultAsset('chat')?.kind).toBe('chat');
  });

  it('answers an unknown name with ASSET_UNKNOWN listing every name', () => {
    let thrown: unknown;
    try {
      findAsset('gpt-9');
    } catch (error) {
      thrown = error;
    }
    expect(TrellisError.isInstance(thrown, 'ASSET_UNKNOWN')).toBe(true);
    expect((thrown as TrellisError).details.available).toEqual(ASSET_CATALOGUE.map((entry) => entry.name));
  });
});

import { describe, expect, it } from 'vitest';
import { extractChunk } from '../../../../rag/extract/offline-extractor.js';

const names = (text: string, title?: string) => extractChunk({ id: 'c', text, title }).entities.map((entity) => entity.name);

describe('offline extraction (wink-nlp)', () => {
  it('finds proper names with their connecting words, and not lists or calendar words', () => {
    const found = names('In October 1955 Ed Wood directed Plan 9 from Outer Space at the University of Southern California. He visited Switzerland and France.');
    expect(found).toEqual(expect.arrayContaining(['Ed Wood', 'Plan 9 from Outer Space', 'University of Southern California', 'Switzerland', 'France']));
    expect(found).not.toContain('October');
    expect(found).not.toContain('Switzerland and France');
  });

  it('finds multi-word noun phrases, lemmatised, without vague adjectives', () => {
    const found = names('Several flat plates were tested. Laminar boundary layers over the plates stayed thin.');
    expect(found).toEqual(expect.arrayContaining(['flat plate', 'laminar boundary layer']));
    expect(found.some((name) => name.startsWith('several'))).toBe(false);
  });

  it('weights mentions by count and the title, relates entities of one sentence and the title to all', () => {
    const extraction = extractChunk({ id: 'c1', title: 'Ed Wood (film)', text: 'Ed Wood is a film by Tim Burton. Johnny Depp plays Ed Wood.' });
    expect(extraction.chunkId).toBe('c1');
    const byName = new Map(extraction.entities.map((entity) => [entity.name, entity]));
    expect(byName.get('Ed Wood (film)')).toMatchObject({ type: 'name', proper: true, weight: 2 });
    // Once in the title (×2), twice in the text.
    expect(byName.get('Ed Wood')?.weight).toBe(4);
    expect(byName.get('Tim Burton')?.weight).toBe(1);
    expect(extraction.relations).toContainEqual({ source: 'Ed Wood', target: 'Tim Burton', type: 'co_occurs', description: '', weight: 1 });
    expect(extraction.relations).toContainEqual(expect.objectContaining({ source: 'Ed Wood (film)', target: 'Johnny Depp', type: 'about' }));
    expect(extraction.relations.some((relation) => relation.source === relation.target)).toBe(false);
  });

  it('is deterministic and survives text with nothing to find', () => {
    const text = 'Plan 9 from Outer Space was directed by Ed Wood in Hollywood.';
    expect(extractChunk({ id: 'a', text })).toEqual(extractChunk({ id: 'a', text }));
    expect(extractChunk({ id: 'e', text: '' })).toEqual({ chunkId: 'e', entities: [], relations: [] });
    expect(extractChunk({ id: 'p', text: '?!... 42 -- ;;' }).entities).toEqual([]);
  });
});

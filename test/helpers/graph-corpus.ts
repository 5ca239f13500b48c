import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A small hand-checked corpus for the knowledge graph: a two-hop chain (the film Plan 9 from Outer Space → its
 * director, named "Ed Wood" there and "Edward D. Wood Jr." on his own page → the academy he attended), a place
 * named like something else (Lake Geneva), and two pages that share no entity with the chain.
 */
export const GRAPH_CORPUS: Readonly<Record<string, string>> = {
  'films/plan-9.md':
    '# Plan 9 from Outer Space\n\nPlan 9 from Outer Space is a science fiction film written and directed by Ed Wood. ' +
    'Bela Lugosi appears in footage shot before his death.\n',
  'people/ed-wood.md':
    '# Edward D. Wood Jr.\n\nEdward D. Wood Jr. was an American filmmaker and actor. ' +
    'As a boy he attended the Northwestern Military and Naval Academy. He later worked with Orson Welles on a radio play.\n',
  'places/academy.md':
    '# Northwestern Military and Naval Academy\n\nThe Northwestern Military and Naval Academy is a preparatory school ' +
    'in Lake Geneva, Wisconsin.\n',
  'places/lake-geneva.md':
    '# Lake Geneva\n\nLake Geneva is a lake on the border of Switzerland and France, fed by the Rhone river.\n',
  'science/laminar.md':
    '# Laminar flow\n\nLaminar boundary layers over a flat plate stay thin at low Reynolds numbers. ' +
    'Transition to turbulent flow thickens the boundary layer.\n',
  'science/shock.md':
    '# Shock waves\n\nOblique shock waves form at a compression corner in supersonic flow. ' +
    'Shock wave interaction with the boundary layer can separate the flow.\n',
};

export function writeGraphCorpus(dir: string, files: Readonly<Record<string, string>> = GRAPH_CORPUS): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { TrellisError } from '../../core/errors.js';

/**
 * Deepest nesting of arrays and objects a JSON body may have: far above any real payload (messages, tool schemas,
 * metadata), far below the depth at which recursive code (JSON.stringify, deep equality, validators) overflows the
 * stack, which a body of a few kilobytes reaches.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * Fastify's own JSON parser (with its prototype-poisoning checks), refusing bodies nested deeper than
 * MAX_JSON_DEPTH before they are parsed, so that no route meets a value its code cannot walk.
 */
export const jsonBodyPlugin = fp(
  async (app: FastifyInstance) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      // Fastify types the body as string | Buffer; `parseAs: 'string'` makes it the string.
      const text = body as string;
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
        done(new TrellisError('API_BODY_INVALID', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`), undefined);
        return;
      }
      parseJson(request, text, done);
    });
  },
  { name: 'trellis-json-body' },
);

const QUOTE = '"'.charCodeAt(0);
const BACKSLASH = '\\'.charCodeAt(0);
const OPEN_BRACKET = '['.charCodeAt(0);
const CLOSE_BRACKET = ']'.charCodeAt(0);
const OPEN_BRACE = '{'.charCodeAt(0);
const CLOSE_BRACE = '}'.charCodeAt(0);

/** Whether JSON text opens more than `limit` arrays and objects inside each other (brackets in strings aside). */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === BACKSLASH) index++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) inString = true;
    else if (char === OPEN_BRACKET || char === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (char === CLOSE_BRACKET || char === CLOSE_BRACE) depth--;
  }
  return false;
}

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { embedMany } from '../../../core/models/embed-many.js';
import { createOpenAICompatibleEmbedder } from '../../../core/models/openai-compatible-embedder.js';

interface RecordedRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: { model: string; input: string[]; encoding_format?: string };
}

type Responder = (request: RecordedRequest, response: ServerResponse) => void;

/** The OpenAI wire format, listing the vectors in reverse so order must come from `index`. */
const shuffledVectors: Responder = ({ body }, response) => {
  const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: [text.length, index, 0.5] }));
  sendJson(response, 200, {
    object: 'list',
    model: body.model,
    data: data.reverse(),
    usage: { prompt_tokens: body.input.length * 3, total_tokens: body.input.length * 3 },
  });
};

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

describe('createOpenAICompatibleEmbedder against a loopback /v1/embeddings server', () => {
  let server: Server;
  let baseUrl: string;
  let requests: RecordedRequest[];
  let respond: Responder;

  beforeAll(async () => {
    server = createServer((incoming, response) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const request: RecordedRequest = {
          method: incoming.method,
          url: incoming.url,
          headers: incoming.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'],
        };
        requests.push(request);
        respond(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });
  beforeEach(() => {
    requests = [];
    respond = shuffledVectors;
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function embedder(options: { dimensions?: number; maxBatchSize?: number } = {}) {
    return createOpenAICompatibleEmbedder({
      baseUrl,
      apiKey: 'sk-test',
      model: 'text-embedding-test',
      maxRetries: 0,
      headers: { 'x-trellis-tenant': 'acme' },
      ...options,
    });
  }

  it('posts the model and the input array with the bearer key and extra headers', async () => {
    await embedder().doEmbed({ texts: ['alpha', 'beta'] });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect({ method: request?.method, url: request?.url, body: request?.body }).toEqual({
      method: 'POST',
      url: '/v1/embeddings',
      body: { model: 'text-embedding-test', input: ['alpha', 'beta'], encoding_format: 'float' },
    });
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.headers['x-trellis-tenant']).toBe('acme');
  });

  it('returns vectors in input order even when the server lists them shuffled', async () => {
    const result = await embedder().doEmbed({ texts: ['a', 'bbb', 'cc'] });
    expect(result).toEqual({
      embeddings: [
        [1, 0, 0.5],
        [3, 1, 0.5],
        [2, 2, 0.5],
      ],
      usage: { tokens: 9 },
    });
  });

  it('learns dimensions from the first response unless given', async () => {
    const learning = embedder();
    expect(learning.dimensions).toBe(0);
    await learning.doEmbed({ texts: ['a'] });
    expect(learning.dimensions).toBe(3);
    expect(embedder({ dimensions: 3 }).dimensions).toBe(3);
  });

  it('batches through embedMany and checks the learned dimensions', async () => {
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    const { embeddings, usage } = await embedMany(embedder({ maxBatchSize: 2 }), texts);
    expect(requests.map((request) => request.body.input)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(embeddings.map((vector) => vector[0])).toEqual([1, 2, 3, 4, 5]);
    expect(usage).toEqual({ tokens: 15 });
  });

  it.each([500, 401, 429])('maps HTTP %i to MODEL_CALL_FAILED with the status', async (status) => {
    respond = (_request, response) => sendJson(response, status, { error: { message: 'nope', type: 'server_error' } });
    const error = await embedder().doEmbed({ texts: ['a'] }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_CALL_FAILED')).toBe(true);
    expect((error as TrellisError).details).toMatchObject({ status, retryable: status !== 401 });
  });

  it('maps an unreachable server to MODEL_CALL_FAILED with a null status', async () => {
    // A port that was just free: nothing listens there any more.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = createOpenAICompatibleEmbedder({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: 'sk-test',
      model: 'text-embedding-test',
      maxRetries: 0,
    });
    const error = await unreachable.doEmbed({ texts: ['a'] }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_CALL_FAILED')).toBe(true);
    expect((error as TrellisError).details).toMatchObject({ status: null });
  });

  it('maps a cancelled call to MODEL_ABORTED', async () => {
    const error = await embedder()
      .doEmbed({ texts: ['a'], signal: AbortSignal.abort() })
      .catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_ABORTED')).toBe(true);
  });

  it('rejects an answer with the wrong number of vectors as MODEL_OUTPUT_INVALID', async () => {
    respond = (_request, response) =>
      sendJson(response, 200, { object: 'list', model: 'm', data: [], usage: { prompt_tokens: 0, total_tokens: 0 } });
    const error = await embedder().doEmbed({ texts: ['a'] }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_OUTPUT_INVALID')).toBe(true);
  });

  it('falls back to OPENAI_API_KEY and OPENAI_BASE_URL', async () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-from-env');
    vi.stubEnv('OPENAI_BASE_URL', baseUrl);
    await createOpenAICompatibleEmbedder({ model: 'text-embedding-test', maxRetries: 0 }).doEmbed({ texts: ['a'] });
    expect(requests[0]?.headers.authorization).toBe('Bearer sk-from-env');
  });

  it('without any key throws MODEL_NOT_CONFIGURED naming the option and the variable', () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    let error: unknown;
    try {
      createOpenAICompatibleEmbedder({ baseUrl, model: 'text-embedding-test' });
    } catch (caught) {
      error = caught;
    }
    expect(TrellisError.isInstance(error, 'MODEL_NOT_CONFIGURED')).toBe(true);
    expect((error as TrellisError).details).toEqual({ option: 'apiKey', variable: 'OPENAI_API_KEY' });
  });
});

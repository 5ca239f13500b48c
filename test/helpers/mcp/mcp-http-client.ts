import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** The SDK's own MCP client, connected over streamable HTTP with a Trellis API key. */
export async function connectMcpClient(url: string, key: string): Promise<Client> {
  const client = new Client({ name: 'trellis-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

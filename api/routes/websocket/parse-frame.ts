import type { RawData } from 'ws';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import { CLIENT_FRAMES, type ClientFrame, type ClientFrameType, type FrameIdValue } from './frames.js';

export type ParsedFrame =
  | { readonly ok: true; readonly frame: ClientFrame }
  /** `id` is the frame's own id when it had a usable one, so even a refusal can be matched to its frame. */
  | { readonly ok: false; readonly error: TrellisError; readonly id?: FrameIdValue };

const FRAME_TYPES = Object.keys(CLIENT_FRAMES) as ClientFrameType[];

/** Turns one WebSocket message into a client frame, or into the error the client is told about. */
export function parseFrame(data: RawData, isBinary: boolean, maxFrameBytes: number): ParsedFrame {
  const bytes = byteLength(data);
  if (bytes > maxFrameBytes) {
    return refuse(new TrellisError('WS_FRAME_TOO_LARGE', `frame of ${bytes} bytes exceeds the limit of ${maxFrameBytes} bytes`));
  }
  if (isBinary) return refuse(new TrellisError('WS_FRAME_INVALID', 'binary frames are not accepted; send JSON as text frames'));
  let value: unknown;
  try {
    value = JSON.parse(textOf(data));
  } catch (error) {
    return refuse(new TrellisError('WS_FRAME_INVALID', `frame is not valid JSON: ${(error as Error).message}`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(new TrellisError('WS_FRAME_INVALID', 'a frame must be a JSON object with a `type`'));
  }
  const fields = value as Record<string, unknown>;
  const id = typeof fields.id === 'string' || Number.isInteger(fields.id) ? (fields.id as FrameIdValue) : undefined;
  const type = fields.type;
  if (typeof type !== 'string' || !FRAME_TYPES.includes(type as ClientFrameType)) {
    const shown = typeof type === 'string' ? `unknown frame type ${JSON.stringify(type.slice(0, 100))}` : 'frame has no string `type`';
    return refuse(new TrellisError('WS_FRAME_TYPE_UNKNOWN', `${shown}; known types: ${FRAME_TYPES.join(', ')}`), id);
  }
  const parsed = CLIENT_FRAMES[type as ClientFrameType].safeParse(value);
  if (!parsed.success) {
    const issues = z.prettifyError(parsed.error).replaceAll('\n', ' ');
    return refuse(new TrellisError('WS_FRAME_INVALID', `invalid ${type} frame: ${issues}`), id);
  }
  return { ok: true, frame: parsed.data as ClientFrame };
}

function refuse(error: TrellisError, id?: FrameIdValue): ParsedFrame {
  return id === undefined ? { ok: false, error } : { ok: false, error, id };
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : data.toString('utf8');
}

import { at, concatArrays } from '@hepml/physics';
import { ApiError } from '../errors.ts';

/**
 * Reads a request body as UTF-8 text, refusing it with 413 as soon as it exceeds `maxBytes`
 * (by its declared `Content-Length`, or while streaming when none is declared), so an oversized
 * body is never held in memory whole. Invalid UTF-8 is a 400 `invalid_json` naming `body` (a JSON
 * text is UTF-8; the reader's callers all parse JSON).
 *
 * The body is read chunk by chunk even when its length is declared. `req.arrayBuffer()` or
 * `req.text()` in one native call served 35 % more batch-1,000 predicts on workerd, but the
 * isolate's heap then grew to 0.4–1.4 GiB between collections (≤ 63 MiB with the chunks), far
 * over the 128 MB a Workers isolate may use.
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (req.body === null) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = chunks.length === 1 ? at(chunks, 0) : concatArrays(chunks, (n) => new Uint8Array(n));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_json', 'body is not valid UTF-8', 'body');
  }
}

/**
 * Reads and parses a JSON body (any content type: clients that forget the header are still
 * served). Oversized is 413, malformed JSON 400, both naming `body`.
 */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const text = await readBodyText(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'body is not valid JSON', 'body');
  }
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'payload_too_large', `body exceeds ${maxBytes} bytes`, 'body');
}

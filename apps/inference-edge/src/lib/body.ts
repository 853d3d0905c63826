import { ApiError } from '../errors.ts';

/** Fatal UTF-8 decoder; a call without `stream` starts from a fresh state, so one is shared. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads a request body as UTF-8 text, refusing it with 413 as soon as it exceeds `maxBytes`
 * (by its declared `Content-Length`, or while streaming when none is declared), so an oversized
 * body is never held in memory whole. Invalid UTF-8 is a 400 naming `body`.
 *
 * A body with a declared length within the limit, and no `Transfer-Encoding`, is read in one
 * native call: workerd then frames the body by that length, so it cannot be longer. (With both
 * headers workerd reads the chunked body whatever the length says, so such a body is streamed
 * with the cap.) The length read is checked again, for a `Request` built in code that declares
 * less than it carries.
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const header = req.headers.get('content-length');
  const declared = Number(header ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (req.body === null) return '';
  let bytes: Uint8Array;
  if (header !== null && Number.isSafeInteger(declared) && req.headers.get('transfer-encoding') === null) {
    bytes = new Uint8Array(await req.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  } else {
    bytes = await readCapped(req.body, maxBytes);
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_body', 'body is not valid UTF-8', 'body');
  }
}

/** Reads a stream of unknown length, cancelling it with 413 as soon as it exceeds `maxBytes`. */
async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
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
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks, total);
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

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

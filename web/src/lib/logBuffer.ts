/**
 * The client side of a job's live log. Each SSE `log` event carries `{text, offset}` where
 * `offset` is the byte offset just past `text` in the log file (the position to resume from),
 * so the chunk starts at `offset - bytes(text)`. A reconnecting stream may repeat bytes already
 * received; offsets are UTF-8 byte offsets, so the overlap is cut in bytes, not characters.
 */

export interface LogBuffer {
  /** The log text kept (the tail, once the log outgrows `maxChars`). */
  text: string;
  /** Byte offset just past the last byte received; resume the stream from here. */
  nextOffset: number;
  /** Whether earlier text was dropped to stay within `maxChars`. */
  truncated: boolean;
}

export const EMPTY_LOG: LogBuffer = { text: "", nextOffset: 0, truncated: false };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Add a chunk that ends at byte `offset`; repeated bytes are dropped and gaps are marked. */
export function appendLogChunk(buffer: LogBuffer, chunk: { text: string; offset: number },
                               maxChars = 200_000): LogBuffer {
  const bytes = encoder.encode(chunk.text);
  const end = chunk.offset;
  const start = end - bytes.length;
  if (end <= buffer.nextOffset) return buffer; // all of it was seen before
  let fresh = chunk.text;
  if (start < buffer.nextOffset) {
    fresh = decoder.decode(bytes.subarray(buffer.nextOffset - start));
  }
  let text = buffer.text + fresh;
  let truncated = buffer.truncated || start > buffer.nextOffset;
  if (text.length > maxChars) {
    // Keep whole lines at the start of the kept tail.
    const cut = text.length - maxChars;
    const lineStart = text.indexOf("\n", cut);
    text = text.slice(lineStart >= 0 ? lineStart + 1 : cut);
    truncated = true;
  }
  return { text, nextOffset: end, truncated };
}

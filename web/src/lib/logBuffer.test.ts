import { describe, expect, it } from "vitest";

import { appendLogChunk, EMPTY_LOG } from "./logBuffer";

// The stream's `offset` is where the next read starts: the byte just past the chunk.
describe("appendLogChunk", () => {
  it("appends consecutive chunks", () => {
    let log = appendLogChunk(EMPTY_LOG, { text: "step 1\n", offset: 7 });
    log = appendLogChunk(log, { text: "step 2\n", offset: 14 });
    expect(log).toEqual({ text: "step 1\nstep 2\n", nextOffset: 14, truncated: false });
  });

  it("drops a chunk it already has (a reconnect resending)", () => {
    const log = appendLogChunk(EMPTY_LOG, { text: "abc\n", offset: 4 });
    expect(appendLogChunk(log, { text: "abc\n", offset: 4 })).toBe(log);
  });

  it("keeps only the new part of an overlapping chunk, counting bytes not characters", () => {
    // "é" is two bytes in UTF-8: "aé\n" is 4 bytes, "aé\nb\n" is 6.
    const log = appendLogChunk(EMPTY_LOG, { text: "aé\n", offset: 4 });
    const next = appendLogChunk(log, { text: "aé\nb\n", offset: 6 });
    expect(next.text).toBe("aé\nb\n");
    expect(next.nextOffset).toBe(6);
  });

  it("marks a gap as truncated", () => {
    const log = appendLogChunk(EMPTY_LOG, { text: "late\n", offset: 105 });
    expect(log.truncated).toBe(true);
    expect(log.nextOffset).toBe(105);
  });

  it("keeps a tail of whole lines when the log grows too long", () => {
    let log = EMPTY_LOG;
    for (let i = 0; i < 100; i += 1) {
      const line = `line ${String(i).padStart(3, "0")}\n`;
      log = appendLogChunk(log, { text: line, offset: log.nextOffset + line.length }, 50);
    }
    expect(log.truncated).toBe(true);
    expect(log.text.length).toBeLessThanOrEqual(50);
    expect(log.text.startsWith("line ")).toBe(true);
    expect(log.text.endsWith("line 099\n")).toBe(true);
  });
});

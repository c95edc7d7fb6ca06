import { describe, expect, it } from "vitest";

import { elapsedSeconds, formatDateTime, formatDuration, formatEta, progressPercent } from "./format";

describe("formatDuration", () => {
  it.each([
    [0, "0s", "0秒"],
    [45.4, "45s", "45秒"],
    [185, "3m 05s", "3分5秒"],
    [3600, "1h 00m", "1小时0分"],
    [7380, "2h 03m", "2小时3分"],
    [100_800, "1d 04h", "1天4小时"],
  ])("%s seconds", (seconds, english, chinese) => {
    expect(formatDuration(seconds, "en")).toBe(english);
    expect(formatDuration(seconds, "zh")).toBe(chinese);
  });

  it("shows a dash for what is unknown", () => {
    expect(formatDuration(null, "en")).toBe("—");
    expect(formatDuration(undefined, "zh")).toBe("—");
    expect(formatDuration(Number.NaN, "en")).toBe("—");
    expect(formatDuration(-3, "en")).toBe("—");
  });
});

describe("formatEta", () => {
  it("rounds up so running work never reads as done", () => {
    expect(formatEta(0.2, "en")).toBe("1s");
    expect(formatEta(59.1, "en")).toBe("1m 00s");
    expect(formatEta(125, "zh")).toBe("2分5秒");
  });

  it("is null without an estimate", () => {
    expect(formatEta(null, "en")).toBeNull();
    expect(formatEta(undefined, "en")).toBeNull();
    expect(formatEta(Number.POSITIVE_INFINITY, "en")).toBeNull();
  });
});

describe("elapsedSeconds", () => {
  it("measures from start to end, or to now while running", () => {
    expect(elapsedSeconds("2025-01-01T00:00:00Z", "2025-01-01T00:01:30Z")).toBe(90);
    expect(elapsedSeconds("2025-01-01T00:00:00Z", null, Date.parse("2025-01-01T00:00:10Z"))).toBe(10);
    expect(elapsedSeconds(null, "2025-01-01T00:00:00Z")).toBeNull();
    expect(elapsedSeconds("not a date")).toBeNull();
  });
});

describe("formatDateTime", () => {
  it("formats local time compactly", () => {
    const iso = new Date(2025, 0, 2, 3, 4, 5).toISOString();
    expect(formatDateTime(iso)).toBe("2025-01-02 03:04:05");
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("garbage")).toBe("—");
  });
});

describe("progressPercent", () => {
  it("clamps and rounds to a tenth", () => {
    expect(progressPercent(0.4567)).toBe(45.7);
    expect(progressPercent(1.2)).toBe(100);
    expect(progressPercent(-1)).toBe(0);
    expect(progressPercent(null)).toBe(0);
  });
});

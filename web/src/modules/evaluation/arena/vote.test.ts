import { describe, expect, it } from "vitest";

import type { LeaderboardRow } from "./types";
import { intervalOption, percent, promptLines, voteForKey, withInterval } from "./vote";

function row(model: string, bt: number, low: number, high: number): LeaderboardRow {
  return { model, rank: 1, elo: bt, elo_low: low, elo_high: high, bt, bt_low: low, bt_high: high, votes: 10, wins: 5,
           win_rate: 0.5 };
}

describe("vote keys", () => {
  it("cast a vote by digit or letter, in either case", () => {
    expect(["1", "a", "A"].map(voteForKey)).toEqual(["a", "a", "a"]);
    expect(["2", "b"].map(voteForKey)).toEqual(["b", "b"]);
    expect(["3", "t", "T"].map(voteForKey)).toEqual(["tie", "tie", "tie"]);
    expect(["4", "x"].map(voteForKey)).toEqual(["both_bad", "both_bad"]);
  });

  it("ignore every other key", () => {
    expect(["5", "0", "c", "Enter", " ", "ArrowLeft"].map(voteForKey)).toEqual([null, null, null, null, null, null]);
  });
});

describe("prompt sets", () => {
  it("take one prompt a line, without blank lines or surrounding spaces", () => {
    expect(promptLines("  Hello!\n\n   \nWrite a haiku.\r\n")).toEqual(["Hello!", "Write a haiku."]);
    expect(promptLines(" \n ")).toEqual([]);
  });
});

describe("ratings", () => {
  it("read with their interval in whole points", () => {
    expect(withInterval(1012.4, 979.6, 1040.49)).toBe("1012 (980–1040)");
    expect(percent(0.9)).toBe("90.0%");
  });

  it("chart each interval as a bar floating on an invisible one, with the axis just below the lowest end", () => {
    const option = intervalOption([row("tuned", 1060, 1010, 1110), row("base", 940, 890, 990)],
                                  { rating: "Rating", interval: "95% interval" });
    const series = option.series as { data: number[]; stack?: string }[];
    expect(series[0]?.data).toEqual([1010, 890]);
    expect(series[1]?.data).toEqual([100, 100]);
    expect(series[0]?.stack).toBe(series[1]?.stack);
    expect(series[2]?.data).toEqual([1060, 940]);
    expect(option.yAxis).toMatchObject({ min: 850, max: 1150 });
    expect(option.xAxis).toMatchObject({ data: ["tuned", "base"] });
  });
});

/**
 * Pure helpers of the arena pages: the vote keys (1/2/3/4 or A/B/T/X), how a rating and its 95 %
 * interval read, and the leaderboard chart (each model's interval as a floating bar, its rating a marker).
 */
import type { ChartOption } from "../../../components/EChart";
import type { LeaderboardRow, VoteOutcome } from "./types";

export const OUTCOMES: readonly VoteOutcome[] = ["a", "b", "tie", "both_bad"];

/** The keys that cast each vote: a digit by position, and a letter. */
export const VOTE_KEYS: Record<VoteOutcome, readonly [string, string]> = {
  a: ["1", "A"], b: ["2", "B"], tie: ["3", "T"], both_bad: ["4", "X"],
};

/** The vote `key` (a KeyboardEvent.key) casts, or null. */
export function voteForKey(key: string): VoteOutcome | null {
  const upper = key.toUpperCase();
  return OUTCOMES.find((outcome) => VOTE_KEYS[outcome].includes(upper)) ?? null;
}

/** "1012 (980–1040)": a rating with its interval, rounded to whole points. */
export function withInterval(rating: number, low: number, high: number): string {
  return `${Math.round(rating)} (${Math.round(low)}–${Math.round(high)})`;
}

/** The prompts of a prompt set typed one a line: the non-blank lines, trimmed. */
export function promptLines(text: string): string[] {
  return text.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

const PADDING = 20;
const STEP = 50;

/**
 * Bradley–Terry ratings by rank: an invisible bar up to each interval's low end with the interval
 * stacked on it, and the rating as a marker. The value axis starts just below the lowest interval,
 * so the invisible part stays out of sight.
 */
export function intervalOption(rows: readonly LeaderboardRow[], names: { rating: string; interval: string }): ChartOption {
  const low = Math.floor((Math.min(...rows.map((row) => row.bt_low)) - PADDING) / STEP) * STEP;
  const high = Math.ceil((Math.max(...rows.map((row) => row.bt_high)) + PADDING) / STEP) * STEP;
  return {
    grid: { left: 56, right: 16, top: 40, bottom: 32 },
    legend: { top: 0, data: [names.rating, names.interval] },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: rows.map((row) => row.model) },
    yAxis: { type: "value", min: low, max: high, scale: true },
    series: [
      { type: "bar", stack: "interval", silent: true, itemStyle: { color: "transparent" }, tooltip: { show: false },
        data: rows.map((row) => row.bt_low) },
      { type: "bar", stack: "interval", name: names.interval, barWidth: 18, itemStyle: { opacity: 0.35 },
        data: rows.map((row) => Number((row.bt_high - row.bt_low).toFixed(2))) },
      { type: "line", name: names.rating, symbol: "diamond", symbolSize: 12, showAllSymbol: true, lineStyle: { opacity: 0 },
        data: rows.map((row) => row.bt) },
    ],
  };
}

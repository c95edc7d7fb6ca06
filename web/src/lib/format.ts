/** Formatting of durations, ETAs, timestamps and sizes, in the console's two languages. */

export type Lang = "en" | "zh";

const UNITS: Record<Lang, { d: string; h: string; m: string; s: string; sep: string }> = {
  en: { d: "d", h: "h", m: "m", s: "s", sep: " " },
  zh: { d: "天", h: "小时", m: "分", s: "秒", sep: "" },
};

/**
 * A duration as its two largest units: "45s", "3m 05s", "2h 03m", "1d 04h" (English) or
 * "45秒", "3分5秒", "2小时3分", "1天4小时" (Chinese). Two units are precise enough to judge a
 * wait and short enough for a table cell.
 */
export function formatDuration(seconds: number | null | undefined, lang: Lang): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const u = UNITS[lang];
  const total = Math.round(seconds);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  // English pads the second unit ("3m 05s") so columns of durations line up.
  const pad = (n: number) => (lang === "en" ? String(n).padStart(2, "0") : String(n));
  if (days > 0) return `${days}${u.d}${u.sep}${pad(hours)}${u.h}`;
  if (hours > 0) return `${hours}${u.h}${u.sep}${pad(minutes)}${u.m}`;
  if (minutes > 0) return `${minutes}${u.m}${u.sep}${pad(secs)}${u.s}`;
  return `${secs}${u.s}`;
}

/**
 * The remaining time of a running job, or null when there is nothing honest to show
 * (no estimate yet, or the job is not running). Rounded up: "0s left" while work remains
 * would be wrong, and a second is the smallest unit shown.
 */
export function formatEta(etaSeconds: number | null | undefined, lang: Lang): string | null {
  if (etaSeconds === null || etaSeconds === undefined || !Number.isFinite(etaSeconds) || etaSeconds < 0) return null;
  return formatDuration(Math.max(1, Math.ceil(etaSeconds)), lang);
}

/** Seconds between two ISO timestamps (the end defaults to now), or null without a start. */
export function elapsedSeconds(startIso: string | null | undefined, endIso?: string | null,
                               now: number = Date.now()): number | null {
  if (!startIso) return null;
  const start = Date.parse(startIso);
  const end = endIso ? Date.parse(endIso) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, (end - start) / 1000);
}

/** A timestamp as local "YYYY-MM-DD HH:mm:ss": compact, sortable, the same in both languages. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} `
    + `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** Progress 0..1 as a whole percentage for antd's Progress, clamped. */
export function progressPercent(progress: number | null | undefined): number {
  if (progress === null || progress === undefined || !Number.isFinite(progress)) return 0;
  return Math.round(Math.min(1, Math.max(0, progress)) * 1000) / 10;
}

/** Times as the Registry view shows them: relative in descriptions, absolute (UTC) in tooltips. Pure. */

const UNITS: [seconds: number, name: string][] = [
  [365 * 24 * 3600, 'year'],
  [30 * 24 * 3600, 'month'],
  [7 * 24 * 3600, 'week'],
  [24 * 3600, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
];

/** "3 days ago", "in 2 hours" (a clock behind the tagger's), "just now". */
export function relativeTime(seconds: number, nowMs: number): string {
  const delta = Math.round(nowMs / 1000 - seconds);
  const abs = Math.abs(delta);
  for (const [size, name] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const unit = `${n} ${name}${n === 1 ? '' : 's'}`;
      return delta >= 0 ? `${unit} ago` : `in ${unit}`;
    }
  }
  return 'just now';
}

/** "2026-01-08 10:00:00 UTC": the same in every time zone, so tests and screenshots agree. */
export function absoluteTime(seconds: number): string {
  if (!Number.isFinite(seconds)) {
    return 'unknown time';
  }
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Unix seconds from GTO's ISO timestamp (or a number already); NaN when unreadable. */
export function toSeconds(t: string | number): number {
  return typeof t === 'number' ? t : Date.parse(t) / 1000;
}

/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl, so the storefront
 * bundle and the server share it and no tz database ships with the app.
 */

const HOUR = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallTime {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number; // 0..23
  minute: number;
  second: number;
}

export function wallTime(at: Date | number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour % 24,
    minute: parts.minute,
    second: parts.second,
  };
}

/** The wall time read as if it were UTC: lets calendar arithmetic use Date.UTC. */
function wallAsUtc(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** Offset of the zone from UTC at an instant, in milliseconds (New York in winter: -5 h). */
export function zoneOffsetMs(at: Date | number, timeZone: string): number {
  const ms = typeof at === "number" ? at : at.getTime();
  const whole = Math.floor(ms / 1000) * 1000;
  return wallAsUtc(wallTime(whole, timeZone)) - whole;
}

/**
 * The first instant at which the zone's clocks read `wall` or later. For a wall time that
 * happens twice (clocks go back) this is the first occurrence; for one that never happens
 * (clocks go forward) it is the moment of the jump.
 */
export function instantAtWallTime(wall: Omit<WallTime, "second"> & { second?: number }, timeZone: string): Date {
  const local = wallAsUtc({ ...wall, second: wall.second ?? 0 });
  // A transition near `local` can only be between these two offsets.
  const before = zoneOffsetMs(local - 14 * HOUR, timeZone);
  const after = zoneOffsetMs(local + 14 * HOUR, timeZone);
  const candidates = [local - before, local - after].filter((u) => wallAsUtc(wallTime(u, timeZone)) === local).sort((a, b) => a - b);
  return new Date(candidates.length > 0 ? candidates[0] : local - before);
}

export interface QuietHours {
  /** Local hour quiet hours begin, 0..23. */
  startHour: number;
  /** Local hour they end, 0..23; smaller than startHour when they wrap midnight (21 → 8). */
  endHour: number;
  timeZone: string;
}

function isActive(q: QuietHours): boolean {
  return q.startHour !== q.endHour;
}

export function inQuietHours(at: Date, q: QuietHours): boolean {
  if (!isActive(q)) return false;
  const h = wallTime(at, q.timeZone).hour;
  return q.startHour < q.endHour ? h >= q.startHour && h < q.endHour : h >= q.startHour || h < q.endHour;
}

/** When the quiet period containing `at` ends; `at` itself when it is not quiet. */
export function quietHoursEnd(at: Date, q: QuietHours): Date {
  if (!inQuietHours(at, q)) return at;
  const w = wallTime(at, q.timeZone);
  for (let addDays = 0; addDays <= 2; addDays++) {
    const day = new Date(Date.UTC(w.year, w.month - 1, w.day + addDays));
    const end = instantAtWallTime({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: q.endHour, minute: 0 }, q.timeZone);
    if (end.getTime() > at.getTime()) return end;
  }
  // Unreachable for real zones: the end hour comes round within two days.
  return new Date(at.getTime() + 24 * HOUR);
}

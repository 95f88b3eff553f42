/**
 * Byte counts for people: "95.4 MiB".
 *
 * @module
 */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/**
 * Formats a byte count with binary units and three significant digits.
 *
 * @example
 * ```ts
 * formatBytes(100_000_000); // "95.4 MiB"
 * formatBytes(512); // "512 B"
 * ```
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? "-" : "";
  const shown = unit === 0 ? String(value) : value >= 100 ? value.toFixed(0) : value.toPrecision(3);
  return `${sign}${shown} ${UNITS[unit]}`;
}

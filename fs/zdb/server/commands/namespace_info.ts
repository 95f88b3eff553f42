/** The NSINFO text, line for line in 0-db's order (zdbd/commands_namespace.c). */
import { statfsSync } from "node:fs";
import type { Namespace } from "../namespace.ts";

const ENTRY_INDEX_BYTES = 34;

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(2);
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(2);
}

/** 0-db prints the next id byte-swapped (bswap_64), so we do too. */
function byteSwapped(id: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(id), true);
  return view.getBigUint64(0, false);
}

function yesNo(flag: boolean): string {
  return flag ? "yes" : "no";
}

function freeBytes(path: string): number | undefined {
  try {
    const stats = statfsSync(path);
    return stats.bsize * stats.bavail;
  } catch {
    return undefined;
  }
}

export function formatNamespaceInfo(namespace: Namespace, dir: string, admin: boolean): string {
  const { settings, log } = namespace;
  const indexBytes = namespace.entryCount * ENTRY_INDEX_BYTES;
  const lines = [
    "# namespace",
    `name: ${settings.name}`,
    `entries: ${namespace.entryCount}`,
    `public: ${yesNo(settings.public)}`,
    `worm: ${yesNo(settings.worm)}`,
    `locked: ${yesNo(settings.lock !== "none")}`,
    `password: ${yesNo(settings.password !== null)}`,
    `data_size_bytes: ${namespace.liveDataBytes}`,
    `data_size_mb: ${mb(namespace.liveDataBytes)}`,
    `data_limits_bytes: ${settings.maxsizeBytes}`,
    `index_size_bytes: ${indexBytes}`,
    `index_size_kb: ${kb(indexBytes)}`,
    `next_internal_id: 0x${byteSwapped(namespace.nextSeqId).toString(16).padStart(8, "0")}`,
    `mode: ${settings.mode === "seq" ? "sequential" : "userkey"}`,
    `stats_index_io_errors: 0`,
    `stats_index_io_error_last: 0`,
    `stats_index_faults: 0`,
    `stats_data_io_errors: ${log.stats.ioErrors}`,
    `stats_data_io_error_last: ${log.stats.lastIoErrorSec}`,
    `stats_data_faults: ${log.stats.dataFaults}`,
  ];
  if (settings.maxsizeBytes > 0) {
    lines.push(`space_available: ${Math.max(0, settings.maxsizeBytes - namespace.liveDataBytes)}`);
  }
  const free = freeBytes(dir);
  if (free !== undefined) {
    lines.push(`index_disk_freespace_bytes: ${free}`, `index_disk_freespace_mb: ${mb(free)}`);
    lines.push(`data_disk_freespace_bytes: ${free}`, `data_disk_freespace_mb: ${mb(free)}`);
  }
  if (admin) {
    lines.push(
      `data_path: ${dir}`,
      `data_active: ${dir}/seg-${String(log.activeSegmentId).padStart(8, "0")}.qzdb`,
      `index_path: ${dir}`,
      `index_active: ${dir}`,
      `data_current_id: ${log.activeSegmentId}`,
      `data_current_offset: ${log.activeOffset}`,
    );
  }
  return lines.join("\n") + "\n";
}

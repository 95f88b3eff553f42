/**
 * How `qsfs nodes` shows things to a person (--json prints the API's objects
 * instead).
 *
 * @module
 */
import { formatBytes } from "../lib/bytes.ts";
import type { FindResult, NodeHealth, Quote, StorageNode } from "../server/grid/provider.ts";
import type { NodeEvent } from "../server/services/events.ts";

/** Left-aligned columns two spaces apart, with a header row. */
export function formatTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length))
  );
  return [headers, ...rows]
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
    .join("\n") + "\n";
}

export function formatNodes(nodes: readonly StorageNode[]): string {
  if (nodes.length === 0) {
    return "No storage nodes yet: qsfs nodes create --count N --size 1GiB makes some\n";
  }
  return formatTable(
    ["ID", "PROVIDER", "STATUS", "ENDPOINT", "SIZE", "RESTARTS", "LOCATION"],
    nodes.map((node) => [
      node.id,
      node.provider,
      node.status,
      node.endpoint,
      formatBytes(node.sizeBytes),
      String(node.restarts ?? 0),
      node.location,
    ]),
  );
}

export function formatNode(node: StorageNode): string {
  const lines: [string, string][] = [
    ["id", node.id],
    ["provider", node.provider],
    ["status", node.status],
    ["endpoint", node.endpoint],
    ["namespace", node.namespace],
    ["size", `${formatBytes(node.sizeBytes)} (${node.sizeBytes} bytes)`],
    ["location", node.location],
    ["created", node.createdAt],
    ["restarts", String(node.restarts ?? 0)],
  ];
  if (node.pid !== undefined) lines.push(["pid", String(node.pid)]);
  if (node.contractId !== undefined) lines.push(["contract", String(node.contractId)]);
  if (node.gridNodeId !== undefined) lines.push(["grid node", String(node.gridNodeId)]);
  return lines.map(([key, value]) => `${`${key}:`.padEnd(11)}${value}`).join("\n") + "\n";
}

export function formatHealth(checks: readonly NodeHealth[]): string {
  return formatTable(
    ["ID", "REACHABLE", "LATENCY", "USED", "FREE", "ENTRIES", "ERROR"],
    checks.map((check) => [
      check.id,
      check.reachable ? "yes" : "no",
      check.latencyMs === undefined ? "-" : `${check.latencyMs.toFixed(2)} ms`,
      check.usedBytes === undefined ? "-" : formatBytes(check.usedBytes),
      check.freeBytes === undefined ? "-" : formatBytes(check.freeBytes),
      check.entries === undefined ? "-" : String(check.entries),
      check.error ?? "",
    ]),
  );
}

export function formatCandidates(result: FindResult): string {
  return formatTable(
    ["LOCATION", "PROVIDER", "FREE", "DETAILS"],
    result.candidates.map((candidate) => [
      candidate.location,
      candidate.provider,
      formatBytes(candidate.freeBytes),
      Object.entries(candidate.details).map(([key, value]) => `${key}=${value}`).join(" "),
    ]),
  );
}

export function formatQuote(quote: Quote): string {
  return `${quote.count} ${quote.provider} node(s) of ${
    formatBytes(quote.sizeBytes)
  }: ${quote.costPerMonth} ${quote.currency} per month\n`;
}

export function formatEvents(events: readonly NodeEvent[]): string {
  if (events.length === 0) return "No events since the daemon started\n";
  return formatTable(
    ["TIME", "EVENT", "NODE", "MESSAGE"],
    events.map((event) => [event.time, event.type, event.nodeId, event.message]),
  );
}

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

/** "3 tfgrid nodes of 10.0 GiB on test: 200.88 TFT (≈ $2.51) per month". */
export function formatQuote(quote: Quote): string {
  const network = quote.network === undefined ? "" : ` on ${quote.network}`;
  return `${describeNodes(quote)} (${quote.provider})${network}: ${formatPrice(quote)} per month\n`;
}

/** "12.34 TFT (≈ $0.56)", or "$0.56" without a TFT price, or "3 EUR". */
export function formatPrice(quote: Quote): string {
  const money = quote.currency === "USD"
    ? `$${amount(quote.costPerMonth)}`
    : `${amount(quote.costPerMonth)} ${quote.currency}`;
  return quote.tftPerMonth === undefined ? money : `${amount(quote.tftPerMonth)} TFT (≈ ${money})`;
}

/** Two decimals, but never a small price shown as 0.00. */
function amount(value: number): string {
  return value > 0 && value < 0.01 ? value.toPrecision(2) : value.toFixed(2);
}

/** "3 nodes of 100 GiB", for questions. */
export function describeNodes(quote: Quote): string {
  return `${quote.count} node${quote.count === 1 ? "" : "s"} of ${formatBytes(quote.sizeBytes)}`;
}

export function formatEvents(events: readonly NodeEvent[]): string {
  if (events.length === 0) return "No events since the daemon started\n";
  return formatTable(
    ["TIME", "EVENT", "NODE", "MESSAGE"],
    events.map((event) => [event.time, event.type, event.nodeId, event.message]),
  );
}

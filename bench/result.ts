/** The benchmark result shape of DESIGN.md and its table and JSON outputs. */

export interface BenchMetric {
  id: string;
  value: number;
  unit: string;
  reference: number;
  reference_name: string;
  /** value / reference, both from the same run. */
  ratio: number;
}

export interface BenchResult {
  name: string;
  machine: string;
  metrics: BenchMetric[];
  /**
   * Figures printed beside the metrics for context only, with no ratio (e.g.
   * the same work on plain ext4): one entry per metric id and context name.
   */
  context?: BenchContext[];
}

export interface BenchContext {
  /** The id of the metric this figure stands beside. */
  id: string;
  /** What was measured, e.g. "ext4". */
  name: string;
  value: number;
}

export function metric(
  id: string,
  unit: string,
  value: number,
  reference: { name: string; value: number },
): BenchMetric {
  const ratio = reference.value > 0 ? value / reference.value : 0;
  return {
    id,
    value: round(value),
    unit,
    reference: round(reference.value),
    reference_name: reference.name,
    ratio: Math.round(ratio * 1000) / 1000,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A one-line description of this machine: cores, memory, CPU model, kernel. */
export function describeMachine(): string {
  let cpu = "unknown cpu";
  try {
    const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
    cpu = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: keep the placeholder.
  }
  const memoryGib = Math.round(Deno.systemMemoryInfo().total / 2 ** 30);
  return `${navigator.hardwareConcurrency} cores, ${memoryGib} GiB, ${cpu}, ${Deno.osRelease()}`;
}

/** A context figure, rounded as metric values are. */
export function contextFigure(id: string, name: string, value: number): BenchContext {
  return { id, name, value: round(value) };
}

export function formatBenchTable(result: BenchResult): string {
  const contexts = [...new Set((result.context ?? []).map((c) => c.name))];
  const contextValue = (id: string, name: string) =>
    result.context?.find((c) => c.id === id && c.name === name)?.value;
  const header = ["metric", "value", "unit", "reference", "ratio", "reference is", ...contexts];
  const rows = result.metrics.map((m) => [
    m.id,
    String(m.value),
    m.unit,
    String(m.reference),
    m.ratio.toFixed(3),
    m.reference_name,
    ...contexts.map((name) => String(contextValue(m.id, name) ?? "")),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  return [`${result.name} on ${result.machine}`, line(header), ...rows.map(line)].join("\n");
}

export async function writeBenchResult(result: BenchResult): Promise<string> {
  const dir = new URL("./results/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const path = new URL(`${result.name}.json`, dir);
  await Deno.writeTextFile(path, JSON.stringify(result, null, 2) + "\n");
  return path.pathname;
}

/** NSINFO's `key: value` text as a typed object. */

export interface NamespaceInfo {
  name: string;
  entries: number;
  public: boolean;
  worm: boolean;
  locked: boolean;
  passwordProtected: boolean;
  dataSizeBytes: number;
  /** 0 means no limit. */
  dataLimitsBytes: number;
  indexSizeBytes: number;
  mode: "userkey" | "sequential";
  /** Present only when the namespace has a size limit. */
  spaceAvailableBytes?: number;
  dataDiskFreespaceBytes?: number;
  indexDiskFreespaceBytes?: number;
  dataIoErrors: number;
  dataFaults: number;
  indexIoErrors: number;
  indexFaults: number;
  /** Every line as sent, including ones not typed above. */
  raw: Record<string, string>;
}

function parseLines(text: string): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const colon = line.indexOf(": ");
    if (line.startsWith("#") || colon < 0) continue;
    raw[line.slice(0, colon)] = line.slice(colon + 2);
  }
  return raw;
}

export function parseNamespaceInfo(text: string): NamespaceInfo {
  const raw = parseLines(text);
  const number = (key: string) => (raw[key] === undefined ? 0 : Number(raw[key]));
  const optional = (key: string) => (raw[key] === undefined ? undefined : Number(raw[key]));
  if (raw.name === undefined) throw new SyntaxError("Cannot parse NSINFO reply: no name line");
  const info: NamespaceInfo = {
    name: raw.name,
    entries: number("entries"),
    public: raw.public === "yes",
    worm: raw.worm === "yes",
    locked: raw.locked === "yes",
    passwordProtected: raw.password === "yes",
    dataSizeBytes: number("data_size_bytes"),
    dataLimitsBytes: number("data_limits_bytes"),
    indexSizeBytes: number("index_size_bytes"),
    mode: raw.mode === "sequential" ? "sequential" : "userkey",
    dataIoErrors: number("stats_data_io_errors"),
    dataFaults: number("stats_data_faults"),
    indexIoErrors: number("stats_index_io_errors"),
    indexFaults: number("stats_index_faults"),
    raw,
  };
  const spaceAvailable = optional("space_available");
  if (spaceAvailable !== undefined) info.spaceAvailableBytes = spaceAvailable;
  const dataFree = optional("data_disk_freespace_bytes");
  if (dataFree !== undefined) info.dataDiskFreespaceBytes = dataFree;
  const indexFree = optional("index_disk_freespace_bytes");
  if (indexFree !== undefined) info.indexDiskFreespaceBytes = indexFree;
  return info;
}

/**
 * The erasure-coding geometry of a pool (k data + m parity shards per chunk):
 * chosen from the number of storage nodes unless the person names one, and
 * then kept for the home (pool.json), because a filesystem's chunks are all
 * cut the same way.
 *
 * @module
 */

export interface Geometry {
  /** k: any k of the k + m shards of a chunk rebuild it. */
  dataShards: number;
  /** m: how many nodes may be lost. */
  parityShards: number;
}

/** Below this many nodes there is no default: one lost node would lose data. */
export const POOL_NODES_MIN = 3;
/** A pool this large uses the grid's geometry; more nodes only spread the chunks. */
const LARGE_POOL_NODES = 20;

/**
 * The default geometry for `nodeCount` nodes: a fifth of them (rounded up) for
 * parity, the rest for data; 16+4 from 20 nodes on. 3 -> 2+1, 6 -> 4+2,
 * 10 -> 8+2, 12 -> 9+3. Undefined below {@link POOL_NODES_MIN}.
 */
export function defaultGeometry(nodeCount: number): Geometry | undefined {
  if (nodeCount < POOL_NODES_MIN) return undefined;
  if (nodeCount >= LARGE_POOL_NODES) return { dataShards: 16, parityShards: 4 };
  const parityShards = Math.ceil(nodeCount / 5);
  return { dataShards: nodeCount - parityShards, parityShards };
}

export function formatGeometry(geometry: Geometry): string {
  return `${geometry.dataShards}+${geometry.parityShards}`;
}

/** A geometry that cannot be used here; the message says why and what to do. */
export class GeometryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GeometryError";
  }
}

/**
 * The geometry to use: the one the home remembers, else the one asked for,
 * else the default for `nodeCount` nodes. @throws {GeometryError} when the
 * asked one differs from the remembered one, or there are too few nodes
 */
export function chooseGeometry(
  nodeCount: number,
  requested: Geometry | undefined,
  remembered: Geometry | undefined,
): Geometry {
  if (remembered !== undefined && requested !== undefined && !sameGeometry(remembered, requested)) {
    throw new GeometryError(
      `Cannot use a ${formatGeometry(requested)} pool: this home's filesystem is cut ${
        formatGeometry(remembered)
      } (pool.json), and its chunks cannot change geometry; leave out --data-shards and --parity-shards`,
    );
  }
  const chosen = remembered ?? requested ?? defaultGeometry(nodeCount);
  if (chosen === undefined) {
    throw new GeometryError(
      `Cannot make a pool of ${nodeCount} storage node(s): qsfs needs at least ${POOL_NODES_MIN} ` +
        `(2 data + 1 parity), so that one lost node loses nothing; create more with ` +
        `qsfs nodes create --count ${POOL_NODES_MIN - nodeCount} --size SIZE, ` +
        "or name a geometry with --data-shards K --parity-shards M",
    );
  }
  checkGeometry(chosen);
  const needed = chosen.dataShards + chosen.parityShards;
  if (needed > nodeCount) {
    throw new GeometryError(
      `Cannot use a ${formatGeometry(chosen)} pool on ${nodeCount} storage node(s): it needs ` +
        `${needed}, one for each shard of a chunk; create ${needed - nodeCount} more with ` +
        `qsfs nodes create --count ${needed - nodeCount} --size SIZE`,
    );
  }
  return chosen;
}

/** k >= 1, m >= 0, k + m <= 255 (Reed-Solomon over GF(2^8)). */
export function checkGeometry(geometry: Geometry): void {
  const { dataShards: k, parityShards: m } = geometry;
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 0 || k + m > 255) {
    throw new GeometryError(
      `Cannot use a ${k}+${m} pool: give at least 1 data shard, 0 or more parity shards, ` +
        "at most 255 in all",
    );
  }
}

function sameGeometry(a: Geometry, b: Geometry): boolean {
  return a.dataShards === b.dataShards && a.parityShards === b.parityShards;
}

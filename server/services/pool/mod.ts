/**
 * The storage pool of a home: which nodes hold its filesystem, with which
 * geometry, cached in which state directory. The CLI (and later the daemon)
 * builds the engine's PoolOptions from it.
 *
 * @module
 */
export {
  checkGeometry,
  chooseGeometry,
  defaultGeometry,
  formatGeometry,
  type Geometry,
  GeometryError,
  POOL_NODES_MIN,
} from "./geometry.ts";
export {
  POOL_FILE_NAME,
  poolFilePath,
  type PoolSettings,
  readPoolSettings,
  writePoolSettings,
} from "./pool_settings.ts";
export {
  describeUnanswered,
  poolNodesOf,
  type UnansweredNode,
  unansweredNodes,
} from "./pool_nodes.ts";

/**
 * The help text of `qsfs nodes`.
 *
 * @module
 */
import { GRID_FLAGS_USAGE } from "./grid_flags.ts";

export const NODES_USAGE = `Usage: qsfs nodes <action> [flags]

Storage nodes: where file data lives. "local" nodes are storage servers this
machine runs (free); each keeps its data in its own directory. "tfgrid" nodes
are 0-db namespaces on ThreeFold grid nodes, paid for by the twin of the
daemon's mnemonic; --location then picks grid nodes: random (the default),
country:NAME, city:NAME, farm:ID[,ID...] or node:ID[,ID...].

Actions:
  list                          List the nodes
  create --count N --size SIZE  Create N nodes of SIZE each (all or none); tfgrid nodes
         [--location DIR]...    cost money: the price per month is shown and asked about
                                first (--yes accepts it); local nodes are free
                                ... spread over these directories (default: <home>/nodes)
  find [--count N] [--size SIZE] [--location DIR]...
                                Show where nodes could go, and whether they share a disk
  quote --count N --size SIZE   What N nodes of SIZE cost per month
  show ID                       One node in detail
  resize ID --size SIZE         Change a node's size (never below what it holds); a
                                tfgrid node's new price is shown and asked about first
  remove ID [--force]           Stop a node and delete its data. A node of the pool
                                first has its shards moved to the other nodes (by the
                                mount, when the filesystem is mounted; refused when
                                fewer than k + m nodes would be left); another node
                                holding data is refused unless --force
  stop ID                       Take a local node down (its server stops; it is not
                                restarted until "nodes start ID" or the next daemon start)
  start ID                      Bring a stopped or failed local node up again
  health [ID]                   Reachability, latency and space (every node without ID)
  events                        What happened to the nodes since the daemon started

Flags:
  --count N           How many nodes
  --size SIZE         Size of each node: bytes, or with a unit (500MB, 10GiB, 1TB)
  --size-bytes N      Size of each node in bytes
  --location DIR      A directory for nodes; repeat it to spread nodes over disks
                      (tfgrid: a grid location, see above)
  --provider NAME     local (the default) or tfgrid
  --yes               create, resize: accept the price without being asked (for
                      scripts; without a terminal a paid change needs it)
  --force             remove: delete the node at once, without moving its shards
                      (the pool loses that redundancy until a repair)
                      (tfgrid: cancel its contract even though it holds data)
  --json              Print the API's JSON instead of tables
  -h, --help          Show this help

For a daemon this command starts (when none runs):
${GRID_FLAGS_USAGE}
`;

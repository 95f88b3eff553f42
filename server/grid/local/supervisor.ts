/**
 * Keeps one local storage node running: starts its process, restarts it when
 * it dies (exponential backoff, a bounded number of consecutive failures),
 * reports each step as an event, and stops it on request.
 *
 * @module
 */
import type { NodeEventSink, NodeStatus } from "../provider.ts";
import { NodeProcess, NodeStartError } from "./node_process.ts";
import { isPortFree } from "./ports.ts";

export interface SupervisorConfig {
  /** The command that runs qsfs (see NodeLaunch.selfCommand). */
  selfCommand: readonly string[];
  /** The first restart waits this long; each failed attempt doubles it. */
  restartDelayMs: number;
  restartDelayMsMax: number;
  /** Consecutive failed starts after which the node is marked "failed". */
  restartAttemptsMax: number;
  /** A node that ran this long before dying starts again from the first delay. */
  stableAfterMs: number;
  startTimeoutMs: number;
  stopTimeoutMs: number;
}

export interface SupervisedNode {
  id: string;
  nodeDir: string;
  dataDir: string;
  /** The port to come back on; changed through onPort when it is taken. */
  port: number;
  adminPassword: string;
}

export interface SupervisorHooks {
  onEvent: NodeEventSink;
  onStatus(status: NodeStatus, pid: number | null): void;
  /** The node had to move to another port (the old one was taken). */
  onPort(port: number): void;
  /** A new free port for the node. */
  pickPort(): number;
}

/** How often one start may move to a new port because the port was taken. */
const PORT_MOVES_MAX = 3;

export class NodeSupervisor {
  readonly #node: SupervisedNode;
  readonly #config: SupervisorConfig;
  readonly #hooks: SupervisorHooks;
  #process: NodeProcess | undefined;
  #status: NodeStatus = "stopped";
  #stopping = false;
  #failures = 0;
  #restarts = 0;
  #startedAtMs = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The start or restart in progress, so stop() can wait for it. */
  #pending: Promise<unknown> = Promise.resolve();

  constructor(node: SupervisedNode, config: SupervisorConfig, hooks: SupervisorHooks) {
    this.#node = { ...node };
    this.#config = config;
    this.#hooks = hooks;
  }

  get status(): NodeStatus {
    return this.#status;
  }

  get pid(): number | undefined {
    return this.#process?.hasExited === false ? this.#process.pid : undefined;
  }

  get port(): number {
    return this.#node.port;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** The first start. @throws {NodeStartError} when the node does not come up */
  async start(): Promise<void> {
    this.#stopping = false;
    this.#setStatus("starting");
    const starting = this.#launch();
    this.#pending = starting.catch(() => {});
    try {
      await starting;
    } catch (error) {
      this.#setStatus("failed");
      throw error;
    }
    this.#hooks.onEvent({
      type: "node_started",
      nodeId: this.#node.id,
      message: `Node ${this.#node.id} started on port ${this.#node.port}`,
    });
  }

  /**
   * Like start(), but a node that does not come up is retried with backoff
   * instead of failing the caller: for nodes restored when the daemon starts.
   */
  async resume(): Promise<void> {
    try {
      await this.start();
    } catch (error) {
      this.#scheduleRestart(`it did not start: ${reasonOf(error)}`);
    }
  }

  /** Stops the node (SIGTERM, then SIGKILL after the stop timeout) and any restart. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#pending;
    const process = this.#process;
    if (process !== undefined && !process.hasExited) await process.stop(this.#config.stopTimeoutMs);
    if (this.#status !== "stopped") {
      this.#setStatus("stopped");
      this.#hooks.onEvent({
        type: "node_stopped",
        nodeId: this.#node.id,
        message: `Node ${this.#node.id} stopped`,
      });
    }
  }

  async #launch(): Promise<void> {
    const node = this.#node;
    for (let moves = 0;; moves++) {
      const portTaken = !isPortFree(node.port);
      if (!portTaken) {
        try {
          this.#process = await NodeProcess.start({
            selfCommand: this.#config.selfCommand,
            nodeDir: node.nodeDir,
            dataDir: node.dataDir,
            port: node.port,
            adminPassword: node.adminPassword,
            startTimeoutMs: this.#config.startTimeoutMs,
          });
          break;
        } catch (error) {
          if (!(error instanceof NodeStartError && error.addressInUse)) throw error;
        }
      }
      if (moves >= PORT_MOVES_MAX) {
        throw new NodeStartError(`port ${node.port} is taken, and so were the next ones`, true);
      }
      const previous = node.port;
      node.port = this.#hooks.pickPort();
      this.#hooks.onPort(node.port);
      this.#hooks.onEvent({
        type: "node_moved",
        nodeId: node.id,
        message:
          `Node ${node.id} moved from port ${previous} to ${node.port}: ${previous} was taken`,
      });
    }
    const process = this.#process!;
    this.#startedAtMs = Date.now();
    this.#setStatus("running", process.pid);
    process.exited.then((exit) => {
      if (this.#stopping || this.#process !== process) return;
      const how = exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`;
      this.#hooks.onEvent({
        type: "node_exited",
        nodeId: node.id,
        message: `Node ${node.id} exited with ${how}: ${lastLine(process.stderrTail())}`,
      });
      if (Date.now() - this.#startedAtMs >= this.#config.stableAfterMs) this.#failures = 0;
      this.#scheduleRestart(`it exited with ${how}`);
    });
  }

  #scheduleRestart(reason: string) {
    if (this.#stopping) return;
    if (this.#failures >= this.#config.restartAttemptsMax) {
      this.#setStatus("failed");
      this.#hooks.onEvent({
        type: "node_failed",
        nodeId: this.#node.id,
        message:
          `Node ${this.#node.id} failed: ${reason}; ${this.#failures} restarts in a row did not hold, so it is left down`,
      });
      return;
    }
    const delayMs = Math.min(
      this.#config.restartDelayMs * 2 ** this.#failures,
      this.#config.restartDelayMsMax,
    );
    this.#failures++;
    this.#setStatus("restarting");
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pending = this.#restart(delayMs);
    }, delayMs);
  }

  async #restart(delayMs: number): Promise<void> {
    if (this.#stopping) return;
    try {
      await this.#launch();
    } catch (error) {
      this.#scheduleRestart(`it did not start: ${reasonOf(error)}`);
      return;
    }
    this.#restarts++;
    this.#hooks.onEvent({
      type: "node_restarted",
      nodeId: this.#node.id,
      message:
        `Node ${this.#node.id} restarted on port ${this.#node.port} after ${delayMs} ms (restart ${this.#restarts})`,
    });
  }

  #setStatus(status: NodeStatus, pid: number | null = null) {
    this.#status = status;
    this.#hooks.onStatus(status, pid);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return (lines[lines.length - 1] || "no output").trim();
}

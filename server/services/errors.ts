/**
 * Domain errors: what services (and the grid providers under them) throw when
 * a request cannot be done, with a stable `code` for scripts and a message
 * that says why. server/http/errors.ts maps each `kind` to an HTTP status once;
 * nothing here knows HTTP.
 *
 * Messages follow the house style: "Cannot <action>: <reason>", no final period.
 *
 * @module
 */

/** The families of failure; the HTTP layer gives each one a status. */
export type DomainErrorKind =
  | "invalid_input"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unavailable"
  | "failed";

export class DomainError extends Error {
  /** A stable, snake_case code, e.g. "node_not_found". */
  readonly code: string;
  readonly kind: DomainErrorKind;
  /** What a client needs to act on the error besides the message (the API adds it to the body). */
  details?: Record<string, unknown>;

  constructor(kind: DomainErrorKind, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DomainError";
    this.kind = kind;
    this.code = code;
  }
}

/** A request that cannot be right whatever the state: a bad value or shape. */
export class ValidationError extends DomainError {
  constructor(message: string) {
    super("invalid_input", "invalid_input", message);
    this.name = "ValidationError";
  }
}

export class NodeNotFoundError extends DomainError {
  readonly nodeId: string;

  constructor(nodeId: string) {
    super("not_found", "node_not_found", `Cannot find storage node "${nodeId}": no such node`);
    this.name = "NodeNotFoundError";
    this.nodeId = nodeId;
  }
}

/** A node still holds data, so removing it would lose that data. */
export class NodeHoldsDataError extends DomainError {
  constructor(message: string) {
    super("conflict", "node_holds_data", message);
    this.name = "NodeHoldsDataError";
  }
}

/** A resize that the node's contents or its disk do not allow. */
export class ResizeRefusedError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("conflict", "resize_refused", message, options);
    this.name = "ResizeRefusedError";
  }
}

/** Not enough room (disk space, free grid nodes) for what was asked. */
export class InsufficientCapacityError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("conflict", "insufficient_capacity", message, options);
    this.name = "InsufficientCapacityError";
  }
}

/** A deployment failed part way; whatever it had started was undone. */
export class DeployFailedError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("failed", "deploy_failed", message, options);
    this.name = "DeployFailedError";
  }
}

/** A storage node did not answer, or answered with an error. */
export class NodeUnavailableError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("unavailable", "node_unavailable", message, options);
    this.name = "NodeUnavailableError";
  }
}

/** The daemon is still starting (restoring nodes) and cannot serve this yet. */
export class NotReadyError extends DomainError {
  constructor(message: string) {
    super("unavailable", "not_ready", message);
    this.name = "NotReadyError";
  }
}

/** The name of a provider that is not set up in this daemon. */
export class ProviderUnavailableError extends DomainError {
  constructor(provider: string, reason: string) {
    super("invalid_input", "provider_unavailable", `Cannot use provider "${provider}": ${reason}`);
    this.name = "ProviderUnavailableError";
  }
}

/** The mnemonic has no twin (account) on the grid network it was used on. */
export class NoTwinError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("conflict", "no_twin", message, options);
    this.name = "NoTwinError";
  }
}

/** The account cannot pay for what was asked (its free TFT balance is too low). */
export class InsufficientBalanceError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("conflict", "insufficient_balance", message, options);
    this.name = "InsufficientBalanceError";
  }
}

/** A deployment did not become ready in time; whatever it had created was undone. */
export class DeployTimeoutError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("failed", "deploy_timed_out", message, options);
    this.name = "DeployTimeoutError";
  }
}

/** The grid's services (gridproxy, the chain, the relay) could not be reached. */
export class GridUnavailableError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("unavailable", "grid_unavailable", message, options);
    this.name = "GridUnavailableError";
  }
}

/** The home's identity is sealed with a passphrase the daemon was not given (or a wrong one). */
export class IdentityUnavailableError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("conflict", "identity_locked", message, options);
    this.name = "IdentityUnavailableError";
  }
}

/** A change of the pool (removing a node) that would lose redundancy or cannot run now. */
export class PoolChangeRefusedError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("conflict", "pool_change_refused", message, options);
    this.name = "PoolChangeRefusedError";
  }
}

/** A change of the pool that was allowed but did not complete (nodes did not answer). */
export class PoolChangeFailedError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("failed", "pool_change_failed", message, options);
    this.name = "PoolChangeFailedError";
  }
}

/** A scrub that cannot run now: no filesystem on the nodes, no identity, the filesystem busy. */
export class ScrubRefusedError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("conflict", "scrub_refused", message, options);
    this.name = "ScrubRefusedError";
  }
}

/** A scrub that ran and failed (the nodes did not answer, the mount failed). */
export class ScrubFailedError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("failed", "scrub_failed", message, options);
    this.name = "ScrubFailedError";
  }
}

/**
 * A paid change (tfgrid nodes created or resized) without the caller's acceptance of what it
 * costs, or accepted at a lower price than it costs now. Carries the current quote, so the
 * caller can show it and send it back accepted.
 */
export class QuoteNotAcceptedError extends DomainError {
  constructor(message: string, quote: unknown) {
    super("conflict", "quote_not_accepted", message);
    this.name = "QuoteNotAcceptedError";
    this.details = { quote };
  }
}

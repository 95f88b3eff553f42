/**
 * What a person reads when the grid says no: each GridPortError (and each
 * gridproxy failure) becomes a DomainError that names the action, says what
 * went wrong in plain words and, where there is one, what to do.
 *
 * @module
 */
import {
  DeployFailedError,
  DeployTimeoutError,
  DomainError,
  GridUnavailableError,
  InsufficientBalanceError,
  InsufficientCapacityError,
  NodeUnavailableError,
  NoTwinError,
} from "../../services/errors.ts";
import { type GridNetwork, GridPortError } from "./grid_client_port.ts";
import { GridproxyError } from "./gridproxy.ts";

export interface ErrorContext {
  /** "Cannot deploy 3 tfgrid node(s)", "Cannot resize node tfgrid-1a2b3c4d"... */
  action: string;
  network: GridNetwork;
  /** Appended to every message, e.g. "; the 2 contracts it created were cancelled". */
  suffix?: string;
  /** What a refusal the grid gave no reason class for becomes. @default DeployFailedError */
  rejected?: (message: string, options: ErrorOptions) => DomainError;
}

/** The DomainError for anything a grid call threw; DomainErrors pass through. */
export function domainErrorOf(error: unknown, context: ErrorContext): DomainError {
  if (error instanceof DomainError) return error;
  const { action, network } = context;
  const suffix = context.suffix ?? "";
  const options = { cause: error };
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof GridproxyError) {
    return new GridUnavailableError(
      `${action}: cannot search grid nodes: ${reason}${suffix}`,
      options,
    );
  }
  const failure = error instanceof GridPortError ? error.failure : "rejected";
  switch (failure) {
    case "no_twin":
      return new NoTwinError(
        `${action}: no twin for this mnemonic on the ${network} network; create one (ThreeFold dashboard or Connect app) and fund it, or use another --network${suffix}`,
        options,
      );
    case "insufficient_balance":
      return new InsufficientBalanceError(
        `${action}: not enough balance: the account's free TFT on the ${network} network does not cover it (${reason}); top it up and try again${suffix}`,
        options,
      );
    case "insufficient_capacity":
      return new InsufficientCapacityError(
        `${action}: a grid node has not enough room: ${reason}${suffix}`,
        options,
      );
    case "timeout":
      return new DeployTimeoutError(
        `${action}: the deployment timed out: ${reason}${suffix}`,
        options,
      );
    case "node_unavailable":
      return new NodeUnavailableError(
        `${action}: a grid node did not answer: ${reason}${suffix}`,
        options,
      );
    case "grid_unreachable":
      return new GridUnavailableError(
        `${action}: the ${network} grid could not be reached: ${reason}${suffix}`,
        options,
      );
    case "rejected": {
      const message = `${action}: ${reason}${suffix}`;
      return context.rejected?.(message, options) ?? new DeployFailedError(message, options);
    }
  }
}

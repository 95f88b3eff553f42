/**
 * The daemon's recent events (node restarts, moves, failures...), kept in
 * memory in a bounded ring and numbered so a client can ask for what is new.
 *
 * @module
 */
import type { NodeEventInput } from "../grid/provider.ts";

export interface NodeEvent extends NodeEventInput {
  /** Increases by one per event, from 1, for the daemon's lifetime. */
  id: number;
  /** ISO 8601. */
  time: string;
}

export interface EventQuery {
  /** Only events with a larger id. */
  afterId?: number;
  nodeId?: string;
  /** At most this many, the newest ones. */
  limit?: number;
}

/** How many events are kept when the caller does not say. */
export const EVENTS_KEPT_DEFAULT = 1000;

export class EventLog {
  readonly #capacity: number;
  readonly #now: () => Date;
  readonly #events: NodeEvent[] = [];
  #nextId = 1;

  constructor(options: { capacity?: number; now?: () => Date } = {}) {
    this.#capacity = options.capacity ?? EVENTS_KEPT_DEFAULT;
    this.#now = options.now ?? (() => new Date());
  }

  record(input: NodeEventInput): NodeEvent {
    const event = { id: this.#nextId++, time: this.#now().toISOString(), ...input };
    this.#events.push(event);
    if (this.#events.length > this.#capacity) this.#events.shift();
    return event;
  }

  list(query: EventQuery = {}): NodeEvent[] {
    const afterId = query.afterId ?? 0;
    const found = this.#events.filter((event) =>
      event.id > afterId && (query.nodeId === undefined || event.nodeId === query.nodeId)
    );
    return query.limit === undefined ? found : found.slice(Math.max(0, found.length - query.limit));
  }
}

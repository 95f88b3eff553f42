/** What a ZDB call can fail with. Retry decisions belong to {@link isRetriableZdbError}. */

/** The server answered with an error reply; `message` is its text. */
export class ZdbReplyError extends Error {
  constructor(readonly command: string, message: string) {
    super(message);
    this.name = "ZdbReplyError";
  }
}

/** The connection failed or closed before the reply came; the command may or may not have run. */
export class ZdbConnectionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ZdbConnectionError";
  }
}

/** No reply within the command timeout; the connection was dropped to stay in sync. */
export class ZdbTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZdbTimeoutError";
  }
}

/** The client was closed by its owner. */
export class ZdbClosedError extends Error {
  constructor() {
    super("Cannot send command: client is closed");
    this.name = "ZdbClosedError";
  }
}

export function isRetriableZdbError(error: unknown): boolean {
  return error instanceof ZdbConnectionError || error instanceof ZdbTimeoutError;
}

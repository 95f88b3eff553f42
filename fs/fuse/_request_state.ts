import type { RequestContext } from "./raw_fs.ts";
import type { RequestHeader } from "./types.ts";

/**
 * The context of one request in flight. The AbortSignal is made only when a
 * method asks for it or an INTERRUPT arrives, so most requests never pay for
 * an AbortController.
 */
export class RequestState implements RequestContext {
  readonly unique: number;
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
  #controller: AbortController | null = null;
  #interrupted = false;

  constructor(header: RequestHeader) {
    this.unique = header.unique;
    this.uid = header.uid;
    this.gid = header.gid;
    this.pid = header.pid;
  }

  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#interrupted) this.#controller.abort(interruptReason());
    }
    return this.#controller.signal;
  }

  /** Whether the kernel interrupted this request. */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  interrupt(): void {
    if (this.#interrupted) return;
    this.#interrupted = true;
    this.#controller?.abort(interruptReason());
  }
}

function interruptReason(): DOMException {
  return new DOMException("The FUSE request was interrupted", "AbortError");
}

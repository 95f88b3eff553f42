/**
 * The session's requests that are not filesystem operations: INIT (negotiated
 * here, then passed to the filesystem) and FORGET / BATCH_FORGET (handed on,
 * never answered). The session (session.ts) keeps the bookkeeping.
 *
 * @module
 */

import { EIO, FsError } from "../errno.ts";
import * as abi from "./abi.ts";
import type { ReplyBody } from "./dispatch.ts";
import { encodeInitReply } from "./encode.ts";
import { type InitSettings, negotiateInit } from "./init.ts";
import type { InitInfo, RawFileSystem } from "./raw_fs.ts";
import type { FuseLogger } from "./session_options.ts";
import type { FuseRequest } from "./types.ts";

type InitRequest = Extract<FuseRequest, { opcode: typeof abi.Opcode.INIT }>;
type ForgetRequest = Extract<
  FuseRequest,
  { opcode: typeof abi.Opcode.FORGET | typeof abi.Opcode.BATCH_FORGET }
>;

/** How an INIT ended, answered already: up, asked to retry with an older minor, or refused. */
export type InitOutcome = { kind: "up"; info: InitInfo } | { kind: "retry" } | {
  kind: "failed";
  error: unknown;
};

/**
 * Negotiates INIT, lets the filesystem see the result, and answers the kernel.
 * A refusal answers with an errno: the kernel then fails every access with ECONNREFUSED.
 */
export async function answerInit(
  request: InitRequest,
  settings: InitSettings,
  fs: RawFileSystem,
  reply: (unique: number, errno: number, body: ReplyBody) => void,
): Promise<InitOutcome> {
  const outcome = negotiateInit(request.body, settings);
  const unique = request.header.unique;
  if (outcome.kind === "retry") {
    reply(unique, 0, encodeInitReply(outcome.reply));
    return { kind: "retry" };
  }
  if (outcome.kind === "refuse") {
    reply(unique, outcome.errno, null);
    return { kind: "failed", error: new Error(outcome.message) };
  }
  const info: InitInfo = {
    kernelMinor: request.body.minor,
    kernelFlags: request.body.flags,
    reply: outcome.reply,
  };
  try {
    await fs.init?.(info);
  } catch (error) {
    reply(unique, error instanceof FsError ? error.errno : EIO, null);
    return { kind: "failed", error };
  }
  reply(unique, 0, encodeInitReply(outcome.reply));
  return { kind: "up", info };
}

/** Hands FORGET and BATCH_FORGET to the filesystem; failures are logged, never answered. */
export function forwardForget(fs: RawFileSystem, request: ForgetRequest, logger: FuseLogger): void {
  const failed = (error: unknown) => logger.error("FUSE FORGET failed", { error: String(error) });
  const settle = (result: void | Promise<void>) => {
    if (result instanceof Promise) result.catch(failed);
  };
  try {
    if (request.opcode === abi.Opcode.FORGET) settle(fs.forget?.(request.body));
    else if (fs.batchForget) settle(fs.batchForget(request.body));
    else for (const item of request.body.items) settle(fs.forget?.(item));
  } catch (error) {
    failed(error);
  }
}

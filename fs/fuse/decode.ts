/**
 * Bytes read from /dev/fuse -> typed requests. Pure: no I/O, no state.
 *
 * u64 values become JS numbers. Ids (nodeid, fh, unique) are safe integers by
 * construction; an offset or size past 2^53 - 1 is clamped where that keeps
 * the meaning (read positions and lengths: it is past any real end of file)
 * and refused with EFBIG where it would change data (write positions, sizes).
 * Names decode losslessly (see `names.ts`).
 *
 * @module
 */

import { EPROTO, FsError } from "../errno.ts";
import * as abi from "./abi.ts";
import { BodyReader, readId } from "./_body_reader.ts";
import { type BodyDecoder, DECODERS } from "./_decoders.ts";
import type { FuseRequest, KnownOpcode, NodeId, RequestHeader, UnknownRequest } from "./types.ts";

/** Decodes struct fuse_in_header at the start of `bytes`. */
export function decodeHeader(bytes: Uint8Array): RequestHeader {
  if (bytes.length < abi.InHeader.sizeBytes) {
    throw new FsError(
      EPROTO,
      `Cannot decode request: ${bytes.length} bytes is shorter than a header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, abi.InHeader.sizeBytes);
  return {
    len: view.getUint32(abi.InHeader.len, true),
    opcode: view.getUint32(abi.InHeader.opcode, true),
    unique: readId(view, abi.InHeader.unique),
    nodeId: readId(view, abi.InHeader.nodeid) as NodeId,
    uid: view.getUint32(abi.InHeader.uid, true),
    gid: view.getUint32(abi.InHeader.gid, true),
    pid: view.getUint32(abi.InHeader.pid, true),
  };
}

/**
 * Decodes one request. `bytes` is exactly what one read(2) returned. Throws
 * FsError(EPROTO) if it is malformed; the caller replies with that errno.
 */
export function decodeRequest(bytes: Uint8Array): FuseRequest | UnknownRequest {
  const header = decodeHeader(bytes);
  if (header.len !== bytes.length) {
    throw new FsError(
      EPROTO,
      `Cannot decode request: header says ${header.len} bytes, read ${bytes.length}`,
    );
  }
  const extBytes =
    new DataView(bytes.buffer, bytes.byteOffset).getUint16(abi.InHeader.totalExtlen, true) * 8;
  const body = bytes.subarray(abi.InHeader.sizeBytes, bytes.length - extBytes);
  const decoder = DECODERS[header.opcode as KnownOpcode] as BodyDecoder<KnownOpcode> | undefined;
  if (decoder === undefined) return { opcode: "unknown", header };
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  const reader = new BodyReader(header.opcode, body, view);
  return { opcode: header.opcode, header, body: decoder(header, reader) } as FuseRequest;
}

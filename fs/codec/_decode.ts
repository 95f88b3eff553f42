/**
 * The read half of pipeline.ts: pick k good shards of one encoding, rebuild missing data
 * shards, check the frame, decrypt, decompress, check the plaintext hash. Each failure is a
 * result with a reason, never an exception and never wrong bytes.
 *
 * @module
 */
import {
  COMPRESSION_NONE,
  COMPRESSION_ZSTD,
  type CompressionEngine,
  decompress,
} from "./compress.ts";
import { CIPHER_AES_256_GCM, type CipherEngine, cipherFor } from "./encrypt.ts";
import { reconstructShards } from "./erasure.ts";
import {
  FORMAT_VERSION,
  FRAME_HEADER_BYTES,
  FRAME_OVERHEAD_BYTES,
  type FrameHeader,
  frameRuns,
  gather,
  HASH_XXH64,
  PLAIN_HASH_BYTES,
  plainHashBytesOffThread,
  readFrameHeader,
  readShardHeader,
  SHARD_OVERHEAD_BYTES,
  shardHashOk,
  shardPayload,
  shardPayloadLength,
} from "./frame.ts";
import { assert } from "../_assert.ts";
import { assertGeometry } from "./gf256.ts";
import { bytesEqual } from "./native.ts";
import { giveScratch, takeScratch } from "./_scratch.ts";

export type DecodeFailure =
  /** Fewer than k shards of one encoding passed their checks. */
  | "too_few_shards"
  /** The shards are of a format version this code does not read. */
  | "unsupported_format"
  /** The frame's header is inconsistent, or its body does not decompress. */
  | "bad_frame"
  /** AES-GCM rejected the frame: tampered with, or another key. */
  | "auth_failed"
  /** The plaintext does not match the hash the frame carries. */
  | "bad_hash";

export type DecodeResult =
  | { ok: true; data: Uint8Array; badShards: number[] }
  | { ok: false; reason: DecodeFailure; detail: string; badShards: number[] };

export interface DecodeOptions {
  masterKey: Uint8Array;
  dataShards: number;
  parityShards: number;
  cipherEngine?: CipherEngine;
  compressionEngine?: CompressionEngine;
  /** Where the plaintext goes (a view of it is returned). @default a new Uint8Array */
  into?: Uint8Array;
}

type Decoded =
  | { ok: true; data: Uint8Array; plainHash: Uint8Array; badShards: number[] }
  | Extract<DecodeResult, { ok: false }>;

interface Selection {
  /** Payload views of the chosen shards (k of them), null elsewhere. */
  payloads: (Uint8Array | null)[];
  frameLength: number;
  chunkTag: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What tells one encoding from another: its frame length and chunk tag, as a map key. */
function encodingKey(frameLength: number, chunkTag: Uint8Array): string {
  const tag = new DataView(chunkTag.buffer, chunkTag.byteOffset, chunkTag.byteLength);
  return `${frameLength}:${tag.getUint32(0)}:${tag.getUint32(4)}`;
}

function failure(reason: DecodeFailure, detail: string, badShards: number[]): Decoded {
  return { ok: false, reason, detail, badShards };
}

/**
 * Checks shards in index order until k of one encoding (same frame length and chunk tag)
 * pass; data shards come first, so parity is not even hashed when the data is whole.
 */
function selectShards(
  shards: readonly (Uint8Array | null)[],
  { dataShards, parityShards }: DecodeOptions,
  trusted: boolean,
  badShards: number[],
): Selection | DecodeFailure {
  const groups = new Map<string, number[]>();
  let present = 0;
  let unsupported = 0;
  for (let index = 0; index < shards.length; index++) {
    const shard = shards[index];
    if (shard === null || shard === undefined) continue;
    present++;
    const header = readShardHeader(shard);
    if (header !== null && header.version !== FORMAT_VERSION) unsupported++;
    const fits = header !== null &&
      header.version === FORMAT_VERSION &&
      header.dataShards === dataShards &&
      header.parityShards === parityShards &&
      header.index === index &&
      header.frameLength >= FRAME_OVERHEAD_BYTES &&
      shard.length ===
        shardPayloadLength(header.frameLength, dataShards) + SHARD_OVERHEAD_BYTES;
    if (!fits || (!trusted && !shardHashOk(shard))) {
      badShards.push(index);
      continue;
    }
    const key = encodingKey(header.frameLength, header.chunkTag);
    const members = groups.get(key) ?? [];
    groups.set(key, members);
    members.push(index);
    if (members.length < dataShards) continue;
    // Shards of other encodings met on the way are stale or misplaced: bad here.
    for (const [other, indexes] of groups) if (other !== key) badShards.push(...indexes);
    badShards.sort((a, b) => a - b);
    const payloads = shards.map((_, i) => members.includes(i) ? shardPayload(shards[i]!) : null);
    return { payloads, frameLength: header.frameLength, chunkTag: header.chunkTag };
  }
  return present > 0 && unsupported === present ? "unsupported_format" : "too_few_shards";
}

/**
 * How a decode runs. `trusted`: the shards were hashed a moment ago by this process (the
 * verification of a new encoding), so their hashes are not computed again. `expected`: the
 * plaintext the shards were made from (the verification again); the decoded bytes are
 * compared with it byte for byte instead of hashed (~4x cheaper; pipeline.ts says what that
 * checks), and only the verdict and the plaintext hash are returned, so the plaintext lives
 * in scratch.
 */
export interface DecodeMode {
  trusted: boolean;
  expected?: Uint8Array;
}

/** Decodes shards into the plaintext and the plaintext hash the frame carried. */
export async function decodeShards(
  shards: readonly (Uint8Array | null)[],
  options: DecodeOptions,
  mode: DecodeMode,
): Promise<Decoded> {
  const { dataShards, parityShards } = options;
  assertGeometry(dataShards, parityShards);
  if (shards.length !== dataShards + parityShards) {
    const expected = dataShards + parityShards;
    throw new Error(`Cannot decode chunk: ${shards.length} shards given, expected ${expected}`);
  }
  const badShards: number[] = [];
  const selection = selectShards(shards, options, mode.trusted, badShards);
  if (typeof selection === "string") {
    const good = shards.filter((shard) => shard !== null).length - badShards.length;
    return failure(selection, `${good} good shards, ${dataShards} needed`, badShards);
  }
  const scratch: Uint8Array[] = [];
  try {
    return await openFrame(selection, options, mode, scratch, badShards);
  } finally {
    giveScratch(...scratch);
  }
}

async function openFrame(
  selection: Selection,
  options: DecodeOptions,
  mode: DecodeMode,
  scratch: Uint8Array[],
  badShards: number[],
): Promise<Decoded> {
  const allocate = (bytes: number) => {
    const buffer = takeScratch(bytes);
    scratch.push(buffer);
    return buffer;
  };
  const rebuilt = reconstructShards(selection.payloads, options.dataShards, {
    dataOnly: true,
    allocate,
  });
  if (!rebuilt.ok) return failure("too_few_shards", "reconstruction lacks shards", badShards);
  const data = rebuilt.shards;
  const { frameLength } = selection;
  const payloadLength = data[0]!.length;
  const header = gather(frameRuns(data, payloadLength, 0, FRAME_HEADER_BYTES));
  const frame = readFrameHeader(header);
  const problem = frameProblem(frame, frameLength, selection.chunkTag) ??
    paddingProblem(data, payloadLength, frameLength);
  if (problem !== null) return failure("bad_frame", problem, badShards);
  let plain: Uint8Array;
  if (mode.expected !== undefined) {
    plain = allocate(frame.plainLength);
  } else if (options.into !== undefined) {
    assert(options.into.length >= frame.plainLength, `into needs ${frame.plainLength} bytes`);
    plain = options.into.subarray(0, frame.plainLength);
  } else {
    plain = new Uint8Array(frame.plainLength);
  }
  const sealed = {
    header,
    runs: frameRuns(data, payloadLength, FRAME_HEADER_BYTES, frameLength - 16),
    tag: gather(frameRuns(data, payloadLength, frameLength - 16, frameLength)),
  };
  const plainHash = await decrypt(frame, sealed, plain, { ...options, ...mode }, allocate);
  if (typeof plainHash === "string") return failure(plainHash, DETAILS[plainHash], badShards);
  const output = mode.expected !== undefined ? new Uint8Array(0) : plain;
  return { ok: true, data: output, plainHash, badShards };
}

const DETAILS: Record<DecodeFailure, string> = {
  too_few_shards: "too few good shards",
  unsupported_format: "unknown format version",
  bad_frame: "the body does not decompress to the plaintext length",
  auth_failed: "AES-GCM tag does not verify: tampered with, or another key",
  bad_hash: "the plaintext does not match its hash",
};

/**
 * Decrypts the frame into `plain` (exactly the plaintext's length): straight into it when
 * the body is stored, else through a scratch body that is decompressed into it. Then checks
 * the plaintext hash, or compares with the expected plaintext when there is one. Returns the
 * plaintext hash the frame carries when all is well, else why not.
 */
async function decrypt(
  frame: FrameHeader,
  sealed: { header: Uint8Array; runs: Uint8Array[]; tag: Uint8Array },
  plain: Uint8Array,
  options: DecodeOptions & Pick<DecodeMode, "expected">,
  allocate: (bytes: number) => Uint8Array,
): Promise<Uint8Array | DecodeFailure> {
  const cipher = await cipherFor(options.masterKey, options.cipherEngine);
  const plainHash = new Uint8Array(PLAIN_HASH_BYTES);
  const stored = frame.compression === COMPRESSION_NONE;
  const body = stored ? plain : allocate(frame.storedLength);
  const opened = await cipher.open(frame.nonce, sealed.header, sealed.runs, sealed.tag, [
    plainHash,
    body,
  ]);
  if (!opened) return "auth_failed";
  if (!stored) {
    const restored = decompress(frame.compression, body, frame.plainLength, {
      engine: options.compressionEngine,
      target: plain,
    });
    if (restored === null) return "bad_frame";
  }
  if (options.expected !== undefined) {
    return bytesEqual(plain, options.expected) ? plainHash : "bad_hash";
  }
  // A stored body is the AEAD's output itself, already checked by the tag (FORMAT.md, step 6).
  const matches = stored || sameBytes(await plainHashBytesOffThread(plain), plainHash);
  return matches ? plainHash : "bad_hash";
}

/** The bytes after the frame in the last data shards are zeros, so no shard byte is free. */
function paddingProblem(data: Uint8Array[], payloadLength: number, frameLength: number) {
  const end = data.length * payloadLength;
  for (const run of frameRuns(data, payloadLength, frameLength, end)) {
    if (run.some((byte) => byte !== 0)) return "the padding after the frame is not zero";
  }
  return null;
}

/** Why a frame header cannot be right, or null. */
function frameProblem(
  frame: ReturnType<typeof readFrameHeader>,
  frameLength: number,
  chunkTag: Uint8Array,
): string | null {
  if (frame.version !== FORMAT_VERSION) return `frame version ${frame.version}`;
  if (frame.cipher !== CIPHER_AES_256_GCM) return `unknown cipher id ${frame.cipher}`;
  if (frame.hash !== HASH_XXH64) return `unknown hash id ${frame.hash}`;
  if (frame.compression !== COMPRESSION_NONE && frame.compression !== COMPRESSION_ZSTD) {
    return `unknown compression id ${frame.compression}`;
  }
  if (frame.compression === COMPRESSION_NONE && frame.storedLength !== frame.plainLength) {
    return `a stored body of ${frame.storedLength} bytes for ${frame.plainLength} plain bytes`;
  }
  if (frame.storedLength + FRAME_OVERHEAD_BYTES !== frameLength) {
    return `stored length ${frame.storedLength} does not fit frame length ${frameLength}`;
  }
  if (!sameBytes(frame.nonce.subarray(0, chunkTag.length), chunkTag)) {
    return "the nonce does not match the shards' chunk tag";
  }
  return null;
}

/** Typed calls for every 0-db command qsfs uses, over {@link ZdbClientCore}. */
import type { RespValue } from "../resp/decode.ts";
import { RespErrorReply } from "../resp/decode.ts";
import { ZdbClientCore } from "./client.ts";
import { ZdbReplyError } from "./errors.ts";
import { type NamespaceInfo, parseNamespaceInfo } from "./nsinfo.ts";

export type Key = string | Uint8Array;

export interface ScanEntry {
  key: Uint8Array;
  sizeBytes: number;
  timestampSec: number;
}

export interface ScanPage {
  /** Pass back to continue after the last entry of this page. */
  cursor: Uint8Array;
  entries: ScanEntry[];
}

export type NamespaceProperty =
  | "maxsize"
  | "password"
  | "public"
  | "worm"
  | "mode"
  | "lock"
  | "freeze";

const utf8 = new TextDecoder();

export class ZdbClient extends ZdbClientCore {
  async ping(): Promise<string> {
    return asText(await this.call(["PING"]));
  }

  /** User-key mode: stores `value` under `key`; returns the key, or null when the value was already stored. */
  async set(key: Key, value: Uint8Array): Promise<Uint8Array | null> {
    return asBytesOrNull(await this.call(["SET", key, value]));
  }

  /** Sequential mode: stores a new entry, or updates `id`; returns the id, or null when unchanged. */
  async setSeq(value: Uint8Array, id?: bigint): Promise<bigint | null> {
    const reply = asBytesOrNull(
      await this.call(["SET", id === undefined ? "" : seqKey(id), value]),
    );
    return reply === null ? null : seqIdOf(reply);
  }

  async get(key: Key): Promise<Uint8Array | null> {
    return asBytesOrNull(await this.call(["GET", key]));
  }

  async mget(keys: readonly Key[]): Promise<(Uint8Array | null)[]> {
    const reply = await this.call(["MGET", ...keys]);
    if (!Array.isArray(reply)) throw unexpected("MGET");
    return reply.map((item) => {
      if (item instanceof RespErrorReply) throw new ZdbReplyError("MGET", item.message);
      return asBytesOrNull(item);
    });
  }

  /** Returns false when the key did not exist. */
  async del(key: Key): Promise<boolean> {
    const reply = await this.callRaw(["DEL", key]);
    if (reply instanceof RespErrorReply) {
      if (reply.message === "Key not found") return false;
      throw new ZdbReplyError("DEL", reply.message);
    }
    return true;
  }

  async exists(key: Key): Promise<boolean> {
    return (await this.call(["EXISTS", key])) === 1;
  }

  /** True when the stored value matches its checksum; null when the key is missing. */
  async check(key: Key): Promise<boolean | null> {
    const reply = await this.call(["CHECK", key]);
    return reply === null ? null : reply === 1;
  }

  async length(key: Key): Promise<number | null> {
    return asIntegerOrNull(await this.call(["LENGTH", key]));
  }

  async keytime(key: Key): Promise<number | null> {
    return asIntegerOrNull(await this.call(["KEYTIME", key]));
  }

  /** The SCAN cursor of `key`, or null when it does not exist. */
  async keycur(key: Key): Promise<Uint8Array | null> {
    const reply = await this.callRaw(["KEYCUR", key]);
    if (reply instanceof RespErrorReply) {
      if (reply.message === "Key not found") return null;
      throw new ZdbReplyError("KEYCUR", reply.message);
    }
    return asBytesOrNull(reply);
  }

  /** The next page of entries after `cursor` (from the start without one); null at the end. */
  scan(cursor?: Uint8Array): Promise<ScanPage | null> {
    return this.#scan("SCAN", cursor);
  }

  /** Like {@link scan}, walking from the newest entry backwards. */
  rscan(cursor?: Uint8Array): Promise<ScanPage | null> {
    return this.#scan("RSCAN", cursor);
  }

  async dbsize(): Promise<number> {
    return asInteger(await this.call(["DBSIZE"]));
  }

  async time(): Promise<{ sec: number; usec: number }> {
    const reply = await this.call(["TIME"]);
    if (!Array.isArray(reply) || reply.length !== 2) throw unexpected("TIME");
    return { sec: Number(asText(reply[0]!)), usec: Number(asText(reply[1]!)) };
  }

  async info(): Promise<string> {
    return asText(await this.call(["INFO"]));
  }

  async nsnew(name: string): Promise<void> {
    await this.call(["NSNEW", name]);
  }

  async nsdel(name: string): Promise<void> {
    await this.call(["NSDEL", name]);
  }

  async nslist(): Promise<string[]> {
    const reply = await this.call(["NSLIST"]);
    if (!Array.isArray(reply)) throw unexpected("NSLIST");
    return reply.map(asText);
  }

  async nsinfo(name: string): Promise<NamespaceInfo> {
    return parseNamespaceInfo(asText(await this.call(["NSINFO", name])));
  }

  async nsset(name: string, property: NamespaceProperty, value: string | number): Promise<void> {
    await this.call(["NSSET", name, property, value]);
  }

  /** Empties the selected namespace (it must be private and have a password). */
  async flush(): Promise<void> {
    await this.call(["FLUSH"]);
  }

  async #scan(command: "SCAN" | "RSCAN", cursor?: Uint8Array): Promise<ScanPage | null> {
    const reply = await this.callRaw(cursor === undefined ? [command] : [command, cursor]);
    if (reply instanceof RespErrorReply) {
      if (reply.message === "No more data") return null;
      throw new ZdbReplyError(command, reply.message);
    }
    if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
      throw unexpected(command);
    }
    const entries = reply[1].map((item) => {
      if (!Array.isArray(item) || item.length !== 3) throw unexpected(command);
      return {
        key: asBytes(item[0]!),
        sizeBytes: asInteger(item[1]!),
        timestampSec: asInteger(item[2]!),
      };
    });
    return { cursor: asBytes(reply[0]!), entries };
  }
}

/** The 8-byte little-endian key of a sequential id. */
export function seqKey(id: bigint): Uint8Array {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, id, true);
  return key;
}

export function seqIdOf(key: Uint8Array): bigint {
  if (key.length !== 8) {
    throw new RangeError(`Cannot read sequential id: key has ${key.length} bytes, not 8`);
  }
  return new DataView(key.buffer, key.byteOffset, 8).getBigUint64(0, true);
}

function unexpected(command: string): ZdbReplyError {
  return new ZdbReplyError(command, "unexpected reply shape");
}

function asText(reply: RespValue): string {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return utf8.decode(reply);
  throw unexpected("reply");
}

function asBytes(reply: RespValue): Uint8Array {
  if (reply instanceof Uint8Array) return reply;
  throw unexpected("reply");
}

function asBytesOrNull(reply: RespValue): Uint8Array | null {
  return reply === null ? null : asBytes(reply);
}

function asInteger(reply: RespValue): number {
  if (typeof reply === "number") return reply;
  throw unexpected("reply");
}

function asIntegerOrNull(reply: RespValue): number | null {
  return reply === null ? null : asInteger(reply);
}

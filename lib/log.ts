/**
 * A small structured logger: one line per record, to stderr and/or a file that
 * rotates by size (file -> file.1 -> file.2 ...).
 *
 * A line reads `2025-01-02T03:04:05.678Z INFO message key=value other="two words"`.
 * No secret is ever written: a field whose name looks like one (see
 * SECRET_FIELD_NAME) is replaced by "[redacted]", also inside nested objects.
 *
 * File writes are synchronous on purpose: a record is on disk, in order, when
 * the call returns, and a crash right after it still leaves the line behind.
 *
 * @module
 */
import { dirname } from "node:path";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A Logger that can add context fields to every record of a derived logger. */
export interface ContextLogger extends Logger {
  /** A logger that writes the same way and adds `fields` to each record. */
  child(fields: Record<string, unknown>): ContextLogger;
}

/** The logger createLogger() returns; close() releases the log file. */
export interface RootLogger extends ContextLogger {
  close(): void;
}

export interface LoggerOptions {
  /** Records below this level are dropped. */
  level: LogLevel;
  /** Write each record to stderr. */
  stderr: boolean;
  /** Also append each record to this file (created 0600, its directory 0700 if missing). */
  filePath?: string;
  /** Rotate the file when the next line would make it larger. @default 10 MiB */
  fileMaxBytes?: number;
  /** How many rotated files (file.1 .. file.N) to keep. @default 3 */
  fileKeep?: number;
  /** Clock for the timestamps, for tests. @default () => new Date() */
  now?: () => Date;
}

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Field names that may hold a secret; their values are never written. */
export const SECRET_FIELD_NAME = /pass|secret|token|mnemonic|seed|key/i;

const REDACTED = "[redacted]";
const FILE_MAX_BYTES_DEFAULT = 10 * 1024 * 1024;
const FILE_KEEP_DEFAULT = 3;
const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const encoder = new TextEncoder();

/** A logger that drops everything. */
export const nullLogger: RootLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return nullLogger;
  },
  close() {},
};

/** Whether `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Creates a logger writing to stderr and/or a rotating file.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info", stderr: true });
 * log.child({ ns: "default" }).info("namespace opened", { password: "x" });
 * // ... INFO namespace opened ns=default password=[redacted]
 * log.close();
 * ```
 */
export function createLogger(options: LoggerOptions): RootLogger {
  const file = options.filePath === undefined ? undefined : new RotatingFile(options.filePath, {
    maxBytes: options.fileMaxBytes ?? FILE_MAX_BYTES_DEFAULT,
    keep: options.fileKeep ?? FILE_KEEP_DEFAULT,
  });
  const rankMin = LEVEL_RANK[options.level];
  const now = options.now ?? (() => new Date());

  let fileBroken = false;

  function write(
    level: LogLevel,
    message: string,
    context: Record<string, unknown>,
    fields: Record<string, unknown> | undefined,
  ) {
    if (LEVEL_RANK[level] < rankMin) return;
    const line = formatRecord(now(), level, message, fields ? { ...context, ...fields } : context);
    const bytes = encoder.encode(line);
    if (options.stderr) writeStderr(bytes);
    if (file === undefined || fileBroken) return;
    try {
      file.write(bytes);
    } catch (error) {
      // A full or vanished disk must not take the program down with it: say so once.
      fileBroken = true;
      const reason = error instanceof Error ? error.message : String(error);
      writeStderr(encoder.encode(`Cannot write log file: ${oneLine(reason)}\n`));
    }
  }

  function make(context: Record<string, unknown>): ContextLogger {
    return {
      debug: (message, fields) => write("debug", message, context, fields),
      info: (message, fields) => write("info", message, context, fields),
      warn: (message, fields) => write("warn", message, context, fields),
      error: (message, fields) => write("error", message, context, fields),
      child: (fields) => make({ ...context, ...fields }),
    };
  }

  return { ...make({}), close: () => file?.close() };
}

/** One record as one line, newline included; secrets redacted. */
export function formatRecord(
  time: Date,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown>,
): string {
  let line = `${time.toISOString()} ${level.toUpperCase()} ${oneLine(message)}`;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = SECRET_FIELD_NAME.test(name) ? REDACTED : formatValue(value);
    line += ` ${oneLine(name)}=${text}`;
  }
  return line + "\n";
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return quoteIfNeeded(`${value.name}: ${value.message}`);
  if (typeof value === "string") return quoteIfNeeded(value);
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return String(value);
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  try {
    return JSON.stringify(value, redactNested) ?? String(value);
  } catch {
    return "[unserialisable]";
  }
}

function redactNested(name: string, value: unknown): unknown {
  if (name !== "" && SECRET_FIELD_NAME.test(name)) return REDACTED;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return value;
}

function quoteIfNeeded(text: string): string {
  return text === "" || /[\s"=\\]|[^\x20-\x7e]/.test(text) ? JSON.stringify(text) : text;
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, "\\n");
}

function writeStderr(bytes: Uint8Array) {
  try {
    writeAll(Deno.stderr, bytes);
  } catch {
    // A closed stderr (a parent that went away) leaves nowhere to report to.
  }
}

function writeAll(target: { writeSync(p: Uint8Array): number }, bytes: Uint8Array) {
  let done = 0;
  while (done < bytes.length) done += target.writeSync(bytes.subarray(done));
}

/** An append-only file that moves aside (path.1, path.2, ...) when it is full. */
class RotatingFile {
  #path: string;
  #maxBytes: number;
  #keep: number;
  #file: Deno.FsFile | undefined;
  #sizeBytes = 0;

  constructor(path: string, limits: { maxBytes: number; keep: number }) {
    if (!(limits.maxBytes > 0)) {
      throw new RangeError(`Cannot log to ${path}: fileMaxBytes must be positive`);
    }
    if (!Number.isInteger(limits.keep) || limits.keep < 0) {
      throw new RangeError(`Cannot log to ${path}: fileKeep must be a whole number`);
    }
    this.#path = path;
    this.#maxBytes = limits.maxBytes;
    this.#keep = limits.keep;
    this.#open();
  }

  write(bytes: Uint8Array) {
    if (this.#sizeBytes > 0 && this.#sizeBytes + bytes.length > this.#maxBytes) this.#rotate();
    if (this.#file === undefined) this.#open();
    writeAll(this.#file!, bytes);
    this.#sizeBytes += bytes.length;
  }

  close() {
    this.#file?.close();
    this.#file = undefined;
  }

  #open() {
    Deno.mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
    this.#file = Deno.openSync(this.#path, { append: true, create: true, mode: 0o600 });
    this.#sizeBytes = this.#file.statSync().size;
  }

  #rotate() {
    this.close();
    if (this.#keep === 0) {
      removeIfExists(this.#path);
    } else {
      removeIfExists(`${this.#path}.${this.#keep}`);
      for (let index = this.#keep - 1; index >= 1; index--) {
        renameIfExists(`${this.#path}.${index}`, `${this.#path}.${index + 1}`);
      }
      renameIfExists(this.#path, `${this.#path}.1`);
    }
    this.#open();
  }
}

function removeIfExists(path: string) {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function renameIfExists(from: string, to: string) {
  try {
    Deno.renameSync(from, to);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** NSNEW, NSDEL, NSLIST, NSSET, NSINFO, NSJUMP, SELECT, DBSIZE, RELOAD, FLUSH. */
import {
  writeArrayHeader,
  writeBulkText,
  writeError,
  writeInteger,
  writeSimpleString,
} from "../../resp/encode.ts";
import { DEFAULT_NAMESPACE, isValidNamespaceName } from "../namespace_store.ts";
import { type CommandHandler, nowSec, textOf } from "./context.ts";
import { formatNamespaceInfo } from "./namespace_info.ts";
import { checkSecureHash } from "./system.ts";
import { expectAdmin, expectArgs, expectNamespaceName } from "./validate.ts";

/** NSSET values longer than this are refused (0-db). */
const NSSET_VALUE_MAX_BYTES = 63;
const PASSWORD_MAX_BYTES = 255;

export const nsnew: CommandHandler = (context, session, args, out) => {
  if (!expectAdmin(context, session, out)) return;
  if (!expectArgs(args, 2, out)) return;
  if (!expectNamespaceName(args[1]!, out)) return;
  const name = textOf(args[1]!);
  if (!isValidNamespaceName(name)) return writeError(out, "This name is not allowed");
  if (context.store.get(name) !== undefined) {
    return writeError(out, "This namespace is not available");
  }
  try {
    context.store.create(name);
  } catch (error) {
    context.logger.error("zdb could not create a namespace", {
      namespace: name,
      error: String(error),
    });
    return writeError(out, "Could not create namespace");
  }
  writeSimpleString(out, "OK");
};

export const nsdel: CommandHandler = (context, session, args, out) => {
  if (!expectAdmin(context, session, out)) return;
  if (!expectArgs(args, 2, out)) return;
  if (!expectNamespaceName(args[1]!, out)) return;
  const name = textOf(args[1]!);
  if (name === DEFAULT_NAMESPACE) return writeError(out, "Cannot remove default namespace");
  const namespace = context.store.get(name);
  if (namespace === undefined) return writeError(out, "This namespace doesn't exists");
  if (session.namespace === namespace) {
    return writeError(out, "Cannot remove namespace you're currently using.");
  }
  try {
    context.store.delete(namespace);
  } catch (error) {
    context.logger.error("zdb could not delete a namespace", {
      namespace: name,
      error: String(error),
    });
    return writeError(out, "Could not delete this namespace");
  }
  writeSimpleString(out, "OK");
};

export const nslist: CommandHandler = (context, _session, _args, out) => {
  const names = context.store.names();
  writeArrayHeader(out, names.length);
  for (const name of names) writeBulkText(out, name);
};

export const nsinfo: CommandHandler = (context, session, args, out) => {
  if (!expectArgs(args, 2, out)) return;
  if (!expectNamespaceName(args[1]!, out)) return;
  const namespace = context.store.get(textOf(args[1]!));
  if (namespace === undefined) return writeError(out, "Namespace not found");
  writeBulkText(out, formatNamespaceInfo(namespace, context.store.dirOf(namespace), session.admin));
};

export const select: CommandHandler = (context, session, args, out) => {
  if (args.length < 2) return writeError(out, "Invalid argument");
  if (!expectNamespaceName(args[1]!, out)) return;
  const namespace = context.store.get(textOf(args[1]!));
  if (namespace === undefined) return writeError(out, "Namespace not found");
  let writable = true;
  const password = namespace.settings.password;
  if (password !== null) {
    if (args.length < 3) {
      if (!namespace.settings.public) return writeError(out, "Namespace protected and private");
      writable = false;
    } else if (args.length > 4) {
      return writeError(out, "Too many arguments");
    } else if (args.length === 3) {
      if (args[2]!.length > PASSWORD_MAX_BYTES) return writeError(out, "Password too long");
      if (textOf(args[2]!) !== password) return writeError(out, "Access denied");
    } else if (!checkSecureHash(session, args[2]!, args[3]!, password, out)) {
      return;
    }
  }
  session.namespace = namespace;
  session.writable = writable;
  writeSimpleString(out, "OK");
};

export const nsset: CommandHandler = (context, session, args, out) => {
  if (!expectAdmin(context, session, out)) return;
  if (!expectArgs(args, 4, out)) return;
  if (!expectNamespaceName(args[1]!, out)) return;
  if (args[3]!.length > NSSET_VALUE_MAX_BYTES) return writeError(out, "Argument too long");
  const namespace = context.store.get(textOf(args[1]!));
  if (namespace === undefined) return writeError(out, "Namespace not found");
  const property = textOf(args[2]!);
  const value = textOf(args[3]!);
  const settings = { ...namespace.settings };
  if (property === "mode") {
    if (context.store.serverMode !== "mix") {
      return writeError(out, "This server instance is configured to use a single runtime mode");
    }
    if (!namespace.isFresh) return writeError(out, "Cannot change mode of used namespace");
    if (value !== "user" && value !== "seq") {
      return writeError(out, "Invalid property value (expected: user, seq)");
    }
    settings.mode = value;
  } else if (property === "lock") {
    settings.lock = value.startsWith("1") ? "read-only" : "none";
  } else if (property === "freeze") {
    settings.lock = value.startsWith("1") ? "frozen" : "none";
  } else if (settings.name === DEFAULT_NAMESPACE) {
    return writeError(out, "Cannot update default namespace");
  } else if (property === "maxsize") {
    settings.maxsizeBytes = Math.max(0, Number.parseInt(value, 10) || 0);
  } else if (property === "password") {
    settings.password = value === "*" ? null : value;
  } else if (property === "public") {
    settings.public = value.startsWith("1");
  } else if (property === "worm") {
    settings.worm = value.startsWith("1");
  } else {
    return writeError(out, "Invalid property");
  }
  namespace.settings = settings;
  context.store.commitSettings(namespace);
  writeSimpleString(out, "OK");
};

export const nsjump: CommandHandler = (context, session, _args, out) => {
  if (!expectAdmin(context, session, out)) return;
  session.namespace.log.jump();
  writeSimpleString(out, "OK");
};

export const dbsize: CommandHandler = (_context, session, _args, out) => {
  writeInteger(out, session.namespace.entryCount);
};

/** Our namespaces are always in memory as on disk, so RELOAD only checks its arguments. */
export const reload: CommandHandler = (context, session, args, out) => {
  if (!expectAdmin(context, session, out)) return;
  if (!expectArgs(args, 2, out)) return;
  if (!expectNamespaceName(args[1]!, out)) return;
  if (context.store.get(textOf(args[1]!)) === undefined) {
    return writeError(out, "Namespace not found");
  }
  writeSimpleString(out, "OK");
};

export const flush: CommandHandler = async (context, session, _args, out) => {
  const namespace = session.namespace;
  if (namespace.settings.public || namespace.settings.password === null) {
    return writeError(out, "Flushing public namespace denied");
  }
  try {
    await namespace.flush(nowSec());
  } catch (error) {
    context.logger.error("zdb flush failed", {
      namespace: namespace.settings.name,
      error: String(error),
    });
    return writeError(out, "Internal Server Error");
  }
  writeSimpleString(out, "OK");
};

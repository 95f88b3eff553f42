/**
 * Reading request bodies and query values into typed fields; a wrong shape is
 * a ValidationError (400) naming the field. Ranges are the services' business.
 *
 * @module
 */
import type { Context } from "hono";
import { ValidationError } from "../services/errors.ts";

export type JsonObject = Record<string, unknown>;

/** The body as a JSON object; an empty body reads as `{}`. */
export async function jsonObject(c: Context): Promise<JsonObject> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError("Cannot read the request body: it is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError("Cannot read the request body: it must be a JSON object");
  }
  return value as JsonObject;
}

/** Refuses fields the route does not know, so a typo is not silently ignored. */
export function onlyFields(body: JsonObject, allowed: readonly string[]): void {
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new ValidationError(
      `Cannot use field "${unknown}": known fields are ${allowed.join(", ")}`,
    );
  }
}

export function numberField(body: JsonObject, name: string): number;
export function numberField(body: JsonObject, name: string, optional: true): number | undefined;
export function numberField(body: JsonObject, name: string, optional = false) {
  const value = body[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== "number") throw new ValidationError(`Cannot read "${name}": give a number`);
  return value;
}

export function stringField(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ValidationError(`Cannot read "${name}": give a string`);
  return value;
}

export function stringListField(body: JsonObject, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new ValidationError(`Cannot read "${name}": give a list of strings`);
  }
  return value as string[];
}

/** A query flag: absent, "0" or "false" is false; "1" or "true" is true. */
export function queryFlag(c: Context, name: string): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === "0" || value === "false") return false;
  if (value === "1" || value === "true" || value === "") return true;
  throw new ValidationError(`Cannot read query "${name}": use 1 or 0`);
}

/** A whole-number query value, or undefined when absent. */
export function queryInteger(c: Context, name: string): number | undefined {
  const value = c.req.query(name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) {
    throw new ValidationError(`Cannot read query "${name}": give a whole number`);
  }
  return Number(value);
}

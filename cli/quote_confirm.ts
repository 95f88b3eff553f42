/**
 * Paid changes ask first (issue 5: "with the quote shown first"). The daemon refuses a
 * tfgrid create or resize that carries no accepted quote, and its refusal holds the quote;
 * the CLI then shows the price, asks on the terminal (or takes --yes), and sends the same
 * request again with that quote accepted. Free providers (local) never ask: their first
 * request goes through.
 *
 * @module
 */
import type { Quote } from "../server/grid/provider.ts";
import type { CliDeps } from "./command.ts";
import { type AcceptedQuote, ApiError } from "./daemon_client.ts";
import { formatPrice } from "./nodes_format.ts";

/** The change was not made because nobody said yes; `exitCode` 2 when --yes is missing. */
export class NotConfirmedError extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2) {
    super(message);
    this.name = "NotConfirmedError";
    this.exitCode = exitCode;
  }
}

export interface ConfirmOptions {
  /** --yes: accept the quote without asking. */
  yes: boolean;
  deps: Pick<CliDeps, "isTerminal" | "readStdin">;
  /** What the change does, from the quote: "Deploy 3 nodes of 100 GiB". */
  describe(quote: Quote): string;
  /** What was not done when declined: "nothing was deployed". */
  unchanged: string;
}

/**
 * Runs `attempt` without acceptance; when the daemon wants a quote accepted, asks (or takes
 * --yes) and runs it once more with the quote accepted.
 * @throws {NotConfirmedError} when declined, or when nobody can be asked and --yes is missing
 */
export async function withAcceptedQuote<T>(
  attempt: (acceptQuote: AcceptedQuote | undefined) => Promise<T>,
  options: ConfirmOptions,
): Promise<T> {
  let quote: Quote;
  try {
    return await attempt(undefined);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "quote_not_accepted")) throw error;
    quote = error.details.quote as Quote;
  }
  await confirm(quote, options);
  return await attempt({ costPerMonth: quote.costPerMonth, currency: quote.currency });
}

async function confirm(quote: Quote, options: ConfirmOptions): Promise<void> {
  if (options.yes) return;
  const question = `${options.describe(quote)} on ${quote.provider}` +
    `${quote.network === undefined ? "" : ` ${quote.network}`} for ${formatPrice(quote)}/month?`;
  const { deps } = options;
  if (deps.isTerminal?.() !== true || deps.readStdin === undefined) {
    throw new NotConfirmedError(
      `Cannot go ahead without a yes: ${question.replace(/\?$/, "")}: no terminal to ask ` +
        "on; pass --yes to accept this quote",
      2,
    );
  }
  const answer = (await deps.readStdin(`${question} [y/N] `)).trim().toLowerCase();
  if (answer !== "y" && answer !== "yes") {
    throw new NotConfirmedError(`Declined: ${options.unchanged}`, 1);
  }
}

/** 0-db's challenge proof: sha1hex("<challenge>:<password>"). */
import { createHash } from "node:crypto";

export function secureProof(challenge: string, password: string): Promise<string> {
  return Promise.resolve(createHash("sha1").update(`${challenge}:${password}`).digest("hex"));
}

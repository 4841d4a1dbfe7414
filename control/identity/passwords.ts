// Account passwords: argon2id through Bun.password; only the PHC string is stored.
import { MigratrixError } from "../../common/errors.ts";

export const MIN_PASSWORD_LENGTH = 10;

export function checkPasswordRules(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new MigratrixError("invalid_argument", `password is too short: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 1024) throw new MigratrixError("invalid_argument", "password is longer than 1024 characters");
}

/** argon2id parameters; production keeps Bun's defaults, tests lower them to stay fast. */
export interface PasswordCost {
  /** KiB of memory. */
  memoryCost: number;
  /** Passes. */
  timeCost: number;
}

export function hashPassword(password: string, cost?: PasswordCost): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id", ...cost });
}

// Verifying against a fixed hash when the account does not exist keeps the answer time the same,
// so response timing does not tell which emails have accounts.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(
  password: string,
  hash: string | null | undefined,
  cost?: PasswordCost,
): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword("not-a-real-password-for-timing", cost);
    await Bun.password.verify(password, await dummyHash);
    return false;
  }
  return Bun.password.verify(password, hash);
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Run tokens let a harness pod transfer its own bundles, and nothing else. The token exists only in
 * the run's Secret; the database keeps its SHA-256, so a database dump grants nothing.
 */
export function issueRunToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRunToken(token) };
}

export function hashRunToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares a presented token with a stored hash in constant time. */
export function runTokenMatches(token: string, storedHash: string | null | undefined): boolean {
  if (!storedHash) return false;
  const presented = Buffer.from(hashRunToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

import { InputError } from '@backstage/errors';

/**
 * Opaque keyset cursors for session listings. A cursor holds the `seq` of the last session of a page;
 * the next page starts below it, so pages stay stable while new sessions are created.
 */
export function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isSafeInteger(decoded?.s) && decoded.s > 0) {
      return decoded.s;
    }
  } catch {
    // fall through to the error below
  }
  throw new InputError(
    'Malformed cursor: pass the nextCursor value of a previous page unchanged',
  );
}

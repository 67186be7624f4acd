/** An admin request the fake refuses: its HTTP status and a message, sent as `{ message }`. */
export class AdminError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

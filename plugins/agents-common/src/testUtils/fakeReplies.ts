/** An answer a test gives in place of the fake's own. @public */
export type FakeAgentsReply = { status: number; body?: unknown };

/** The status that each error of `@backstage/errors` the fake throws answers with. */
export const ERROR_STATUS: Record<string, number> = {
  InputError: 400,
  NotFoundError: 404,
  ConflictError: 409,
};

/** A Backstage error body. @public */
export function errorReply(
  status: number,
  name: string,
  message: string,
): FakeAgentsReply {
  return {
    status,
    body: { error: { name, message }, response: { statusCode: status } },
  };
}

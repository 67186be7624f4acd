/** OpenAI's error envelope, shared by chat completions and the Responses API. */
export function openAiErrorBody(status: number, message: string): unknown {
  let type = 'invalid_request_error';
  if (status === 401) type = 'authentication_error';
  else if (status === 429) type = 'rate_limit_exceeded';
  else if (status >= 500) type = 'server_error';
  return { error: { message, type, param: null, code: null } };
}

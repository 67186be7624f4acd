/**
 * Deterministic token counts: one token per four characters (rounded up), the rule of thumb
 * providers quote for English. The same request always reports the same usage, so tests can assert
 * exact numbers an adapter read from the agent's output.
 */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Input: the whole request body as sent; output: the text and tool-call arguments produced. */
export function usageFor(requestBody: unknown, output: string): Usage {
  return {
    inputTokens: countTokens(JSON.stringify(requestBody ?? null)),
    outputTokens: Math.max(countTokens(output), 1),
  };
}

import { useCallback, useState } from 'react';
import { SESSION_LIMITS } from '@backstage-agents/plugin-agents-common';
import { errorMessage, errorStatus } from './format';

/** What a prompt dialog says when the prompt is blank or too long. */
export type PromptMessages = {
  empty: string;
  tooLong: (length: number) => string;
};

/**
 * The state of a dialog that sends a prompt: the text, its error, a refusal of the request, and
 * whether it is being sent. `submit` checks the prompt before calling `send`, then empties it and
 * hands the result to `onSent`; a 400 from the API
 * explains what is wrong with the prompt, so it is shown by the prompt, other refusals above the form.
 */
export function usePromptForm<T>(options: {
  messages: PromptMessages;
  send: (prompt: string) => Promise<T>;
  onSent: (result: T) => void;
}) {
  const { messages, send, onSent } = options;
  const [prompt, setPromptState] = useState('');
  const [promptError, setPromptError] = useState<string>();
  const [requestError, setRequestError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  const setPrompt = useCallback((value: string) => {
    setPromptState(value);
    // The user is fixing the prompt: the old complaint no longer applies.
    setPromptError(undefined);
  }, []);

  const clearErrors = useCallback(() => {
    setPromptError(undefined);
    setRequestError(undefined);
  }, []);

  const submit = async () => {
    let invalid: string | undefined;
    if (prompt.trim() === '') invalid = messages.empty;
    else if (prompt.length > SESSION_LIMITS.maxPromptLength) {
      invalid = messages.tooLong(prompt.length);
    }
    setPromptError(invalid);
    setRequestError(undefined);
    if (invalid) return;
    setSubmitting(true);
    try {
      const result = await send(prompt);
      setPromptState('');
      onSent(result);
    } catch (error) {
      if (errorStatus(error) === 400) setPromptError(errorMessage(error));
      else setRequestError(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  return {
    prompt,
    setPrompt,
    promptError,
    requestError,
    submitting,
    submit,
    clearErrors,
  };
}

export type PromptForm = ReturnType<typeof usePromptForm<unknown>>;

import { isTransientApiError, withTransientRetries } from './transientApiRetry';

const apiError = (code: number | string) => Object.assign(new Error(`error ${code}`), { code });

describe('isTransientApiError', () => {
  it('tells brief API failures from refusals', () => {
    expect(isTransientApiError(apiError(500))).toBe(true);
    expect(isTransientApiError(apiError(503))).toBe(true);
    expect(isTransientApiError(apiError(429))).toBe(true);
    expect(isTransientApiError(apiError('ECONNRESET'))).toBe(true);
    expect(isTransientApiError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
    expect(isTransientApiError(apiError(403))).toBe(false);
    expect(isTransientApiError(apiError(409))).toBe(false);
    expect(isTransientApiError(apiError(422))).toBe(false);
    expect(isTransientApiError(new Error('the API server did not answer within 200 ms'))).toBe(false);
  });
});

describe('withTransientRetries', () => {
  it('retries transient errors and gives up after the last delay', async () => {
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(apiError(500));
    };
    await expect(withTransientRetries(failing, { delaysMs: [1, 1] })).rejects.toThrow('error 500');
    expect(calls).toBe(3);
  });

  it('does not retry a refusal', async () => {
    let calls = 0;
    const refused = () => {
      calls += 1;
      return Promise.reject(apiError(422));
    };
    await expect(withTransientRetries(refused, { delaysMs: [1, 1] })).rejects.toThrow('error 422');
    expect(calls).toBe(1);
  });

  it('reads the object when a retried create conflicts with what the failed attempt made', async () => {
    const answers = [apiError(503), apiError(409)];
    const create = () => Promise.reject(answers.shift());
    await expect(
      withTransientRetries(create, { delaysMs: [1], resolveConflict: async () => 'read' }),
    ).resolves.toBe('read');
  });

  it('leaves a conflict on the first attempt to the caller', async () => {
    const create = () => Promise.reject(apiError(409));
    await expect(
      withTransientRetries(create, { delaysMs: [1], resolveConflict: async () => 'read' }),
    ).rejects.toThrow('error 409');
  });

  it('resolves a conflict on the first attempt when asked to', async () => {
    const create = () => Promise.reject(apiError(409));
    await expect(
      withTransientRetries(create, { delaysMs: [1], onConflict: 'always', resolveConflict: async () => 'replaced' }),
    ).resolves.toBe('replaced');
  });
});

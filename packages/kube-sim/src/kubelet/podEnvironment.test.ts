import { ContainerConfigError } from './configSource';
import { expandReferences, resolveContainerEnv } from './podEnvironment';

describe('pod environment', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'a' } },
    spec: { nodeName: 'n1', serviceAccountName: 'default' },
  };
  const source = {
    secret: async (_ns: string, name: string) =>
      name === 's'
        ? {
            metadata: { name, namespace: 'ns' },
            data: { k: Buffer.from('secret').toString('base64') },
          }
        : undefined,
    configMap: async (_ns: string, name: string) =>
      name === 'c'
        ? { metadata: { name, namespace: 'ns' }, data: { x: '1', y: '2' } }
        : undefined,
  };

  it('expands $(VAR) references, keeps unknown ones and honours $$ escapes', () => {
    expect(expandReferences('$(A)-$(B)-$$(A)', { A: 'a' })).toBe('a-$(B)-$(A)');
  });

  it('resolves envFrom, plain values, secret and config map keys and fieldRefs in order', async () => {
    const env = await resolveContainerEnv(
      pod,
      {
        envFrom: [{ configMapRef: { name: 'c' }, prefix: 'CM_' }],
        env: [
          { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          {
            name: 'NAME',
            valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
          },
          {
            name: 'APP',
            valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } },
          },
          {
            name: 'NODE',
            valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
          },
          {
            name: 'MISSING_OK',
            valueFrom: {
              secretKeyRef: { name: 'nope', key: 'k', optional: true },
            },
          },
          { name: 'JOINED', value: '$(NAME)@$(NODE):$(CM_x)' },
        ],
      },
      source,
    );
    expect(env).toEqual({
      CM_x: '1',
      CM_y: '2',
      S: 'secret',
      NAME: 'p',
      APP: 'a',
      NODE: 'n1',
      JOINED: 'p@n1:1',
    });
  });

  it('reports missing secrets and keys as container config errors', async () => {
    await expect(
      resolveContainerEnv(
        pod,
        {
          env: [
            {
              name: 'X',
              valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } },
            },
          ],
        },
        source,
      ),
    ).rejects.toThrow(new ContainerConfigError('secret "nope" not found'));
    await expect(
      resolveContainerEnv(
        pod,
        {
          env: [
            {
              name: 'X',
              valueFrom: { secretKeyRef: { name: 's', key: 'other' } },
            },
          ],
        },
        source,
      ),
    ).rejects.toThrow("couldn't find key other in Secret ns/s");
  });
});

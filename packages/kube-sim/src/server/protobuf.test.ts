import { Writer } from 'protobufjs';
import { KubeSim, startKubeSim } from '../index';
import {
  PROTOBUF_CONTENT_TYPE,
  PROTOBUF_MAGIC,
  decodeProtobufObject,
  encodeProtobufObject,
} from './protobuf';

/** Request bodies kubectl 1.32.4 sent for `kubectl create ...` (captured with a recording proxy). */
const KUBECTL = {
  // kubectl create namespace x
  namespace:
    'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhkKEQoBeBIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==',
  // kubectl create secret generic s --from-literal=a=b
  secret:
    'azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAWESAWIaABoAIgA=',
  // kubectl create configmap c --from-literal=a=b --from-file=bin=<file holding "x\0\1">
  configMap:
    'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEicKEQoBYxIAGgAiACoAMgA4AEIAEgYKAWESAWISCgoDYmluEgN4AAEaACIA',
  // kubectl create service clusterip web --tcp=80:8080 --tcp=443:https
  service:
    'azhzAAoNCgJ2MRIHU2VydmljZRKNAQofCgN3ZWISABoAIgAqADIAOABCAFoKCgNhcHASA3dlYhJmChsKBzgwLTgwODASA1RDUBhQIgcIABCQPxoAKAAKIgoJNDQzLWh0dHBzEgNUQ1AYuwMiCwgBEAAaBWh0dHBzKAASCgoDYXBwEgN3ZWIaACIJQ2x1c3RlcklQOgBCAFIAWgBgAGgAGgIKABoAIgA=',
  // kubectl create rolebinding rb --role=r --user=alice --serviceaccount=default:sa
  roleBinding:
    'azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxKHAQoSCgJyYhIAGgAiACoAMgA4AEIAEioKBFVzZXISGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8aBWFsaWNlIgASHwoOU2VydmljZUFjY291bnQSABoCc2EiB2RlZmF1bHQaJAoZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxIEUm9sZRoBchoAIgA=',
  // kubectl create deployment dep --image=busybox
  deployment:
    'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Eq8BCh8KA2RlcBIAGgAiACoAMgA4AEIAWgoKA2FwcBIDZGVwEn4IARIMCgoKA2FwcBIDZGVwGmQKHAoAEgAaACIAKgAyADgAQgBaCgoDYXBwEgNkZXASRBImCgdidXN5Ym94EgdidXN5Ym94KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
};

const decode = (base64: string) =>
  decodeProtobufObject(Buffer.from(base64, 'base64'));

const errorOf = (call: () => unknown): any => {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
};

describe('decodeProtobufObject', () => {
  it('decodes what kubectl create sends into the JSON object kubectl would have sent', () => {
    expect(decode(KUBECTL.namespace)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
      spec: {},
      status: {},
    });
    expect(decode(KUBECTL.secret)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { a: 'Yg==' },
    });
    expect(decode(KUBECTL.configMap)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: 'b', bin: 'x\u0000\u0001' },
    });
    expect(decode(KUBECTL.service)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'web' },
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
          {
            name: '443-https',
            protocol: 'TCP',
            port: 443,
            targetPort: 'https',
          },
        ],
      },
      status: { loadBalancer: {} },
    });
    expect(decode(KUBECTL.roleBinding)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
      ],
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'r',
      },
    });
  });

  it('keeps metadata, bytes, timestamps and explicitly set zero values of pointer fields', () => {
    const body = encodeProtobufObject('v1', 'ConfigMap', {
      metadata: {
        generateName: 'c-',
        namespace: 'team',
        labels: { a: '1' },
        annotations: { note: '' },
        creationTimestamp: { seconds: 1_700_000_000 },
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            name: 'p',
            uid: 'u',
            controller: false,
          },
        ],
        finalizers: ['example.com/f'],
      },
      binaryData: { bin: Buffer.from([0xff, 0x00]).toString('base64') },
      immutable: false,
    });
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        generateName: 'c-',
        namespace: 'team',
        labels: { a: '1' },
        annotations: { note: '' },
        creationTimestamp: '2023-11-14T22:13:20Z',
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            name: 'p',
            uid: 'u',
            controller: false,
          },
        ],
        finalizers: ['example.com/f'],
      },
      binaryData: { bin: '/wA=' },
      immutable: false,
    });
    expect(
      decodeProtobufObject(
        encodeProtobufObject('v1', 'ServiceAccount', {
          metadata: { name: 'sa' },
          automountServiceAccountToken: false,
          imagePullSecrets: [{ name: 'pull' }],
        }),
      ),
    ).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sa' },
      automountServiceAccountToken: false,
      imagePullSecrets: [{ name: 'pull' }],
    });
  });

  it('refuses kinds it has no message for with 415, naming the ones it decodes', () => {
    expect(errorOf(() => decode(KUBECTL.deployment))).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: expect.stringMatching(
        /^cannot decode apps\/v1 Deployment: kube-sim decodes application\/vnd\.kubernetes\.protobuf bodies only for v1 Namespace, Secret, ConfigMap, ServiceAccount, Service; rbac\.authorization\.k8s\.io\/v1 Role, RoleBinding; send this object as application\/json/,
      ),
    });
  });

  it('refuses fields it does not know rather than dropping them', () => {
    // A Secret whose metadata carries managedFields (field 17), which kube-sim's schema lacks.
    const metadata = Writer.create()
      .uint32((1 << 3) | 2)
      .string('s')
      .uint32((17 << 3) | 2)
      .bytes(new Uint8Array())
      .finish();
    const secret = Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(metadata)
      .finish();
    const envelope = Writer.create()
      .uint32((1 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string('v1')
      .uint32((2 << 3) | 2)
      .string('Secret')
      .ldelim()
      .uint32((2 << 3) | 2)
      .bytes(secret)
      .finish();
    const body = Buffer.concat([PROTOBUF_MAGIC, envelope]);
    expect(errorOf(() => decodeProtobufObject(body))).toMatchObject({
      code: 415,
      message: expect.stringMatching(
        /^unknown field number 17 in Secret\.metadata:/,
      ),
    });
  });

  it('answers 400 for bodies that are not Kubernetes protobuf', () => {
    expect(
      errorOf(() => decodeProtobufObject(Buffer.from('{"kind":"Secret"}'))),
    ).toMatchObject({
      code: 400,
      message: expect.stringContaining(
        'does not start with the "k8s\\x00" prefix',
      ),
    });
    const truncated = Buffer.from(KUBECTL.secret, 'base64').subarray(0, 30);
    expect(errorOf(() => decodeProtobufObject(truncated))).toMatchObject({
      code: 400,
      message: expect.stringMatching(/^error decoding request body: /),
    });
  });
});

describe('protobuf request bodies over HTTP', () => {
  let sim: KubeSim;
  beforeEach(async () => {
    sim = await startKubeSim();
  });
  afterEach(() => sim.stop());

  const post = (path: string, body: string) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': PROTOBUF_CONTENT_TYPE,
        Accept: `${PROTOBUF_CONTENT_TYPE},application/json`,
      },
      body: Buffer.from(body, 'base64'),
    });

  it('creates objects from protobuf bodies and answers in JSON, as client-go accepts', async () => {
    const res = await post(
      '/api/v1/namespaces/default/secrets?fieldManager=kubectl-create&fieldValidation=Strict',
      KUBECTL.secret,
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      data: { a: 'Yg==' },
    });
    const ns = await post('/api/v1/namespaces', KUBECTL.namespace);
    expect(ns.status).toBe(201);
    expect(await ns.json()).toMatchObject({
      metadata: { name: 'x' },
      status: { phase: 'Active' },
    });
  });

  it('answers 415 with a Status for protobuf bodies it cannot decode', async () => {
    const res = await post(
      '/apis/apps/v1/namespaces/default/deployments',
      KUBECTL.deployment,
    );
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  });
});

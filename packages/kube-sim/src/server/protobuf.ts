/*
 * Request bodies in the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`).
 *
 * kubectl's imperative `create namespace|secret|configmap|serviceaccount|service|role|...`
 * go through client-go's typed clients, which send protobuf. A 415 does not make client-go
 * retry with JSON: its 415 fallback only switches CBOR requests to JSON (kubectl 1.32 `-v=8`
 * against a 415 shows one protobuf POST, then the error). So, like a real server, kube-sim
 * decodes these bodies: the `k8s\0` envelope (`runtime.Unknown`) and the raw object of the
 * kinds in PROTOBUF_KINDS, into the same JSON object model a JSON body produces. The wire
 * format is protobufjs's; the messages below are the needed subset of k8s.io/api's
 * `generated.proto` (same field numbers). A body of any other kind, or carrying a field this
 * subset does not know, is refused with 415 rather than stored with parts silently dropped.
 * Responses are always JSON, which client-go accepts (it sends `Accept: <protobuf>,application/json`).
 */
import * as protobuf from 'protobufjs';
import { ApiError, badRequest } from './statusErrors';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** The four bytes every Kubernetes protobuf body starts with. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

// `[(pointer) = true]` marks fields that are pointers in the Go types: they reach the wire only
// when set, so their zero value is meaningful and kept. Other scalar fields are always written by
// Go and a zero value stands for "unset" (JSON `omitempty`), so it is dropped.
const SCHEMA = `
syntax = "proto2";
package kubesim;

// k8s.io/apimachinery/pkg/runtime
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown {
  optional TypeMeta typeMeta = 1;
  optional bytes raw = 2;
  optional string contentEncoding = 3;
  optional string contentType = 4;
}

// k8s.io/apimachinery/pkg/apis/meta/v1 and pkg/util/intstr
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }
message OwnerReference {
  optional string apiVersion = 5;
  optional string kind = 1;
  optional string name = 3;
  optional string uid = 4;
  optional bool controller = 6 [(pointer) = true];
  optional bool blockOwnerDeletion = 7 [(pointer) = true];
}
message ObjectMeta {
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  optional string selfLink = 4;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional int64 generation = 7;
  optional Time creationTimestamp = 8;
  optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10 [(pointer) = true];
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13;
  repeated string finalizers = 14;
}
message Condition {
  optional string type = 1;
  optional string status = 2;
  optional int64 observedGeneration = 3;
  optional Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}

// k8s.io/api/core/v1
message Namespace { optional ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; optional NamespaceStatus status = 3; }
message NamespaceSpec { repeated string finalizers = 1; }
message NamespaceStatus { optional string phase = 1; repeated NamespaceCondition conditions = 2; }
message NamespaceCondition {
  optional string type = 1;
  optional string status = 2;
  optional Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}
message Secret {
  optional ObjectMeta metadata = 1;
  optional bool immutable = 5 [(pointer) = true];
  map<string, bytes> data = 2;
  map<string, string> stringData = 4;
  optional string type = 3;
}
message ConfigMap {
  optional ObjectMeta metadata = 1;
  optional bool immutable = 4 [(pointer) = true];
  map<string, string> data = 2;
  map<string, bytes> binaryData = 3;
}
message ObjectReference {
  optional string kind = 1;
  optional string namespace = 2;
  optional string name = 3;
  optional string uid = 4;
  optional string apiVersion = 5;
  optional string resourceVersion = 6;
  optional string fieldPath = 7;
}
message LocalObjectReference { optional string name = 1; }
message ServiceAccount {
  optional ObjectMeta metadata = 1;
  repeated ObjectReference secrets = 2;
  repeated LocalObjectReference imagePullSecrets = 3;
  optional bool automountServiceAccountToken = 4 [(pointer) = true];
}
message Service { optional ObjectMeta metadata = 1; optional ServiceSpec spec = 2; optional ServiceStatus status = 3; }
message ServiceSpec {
  repeated ServicePort ports = 1;
  map<string, string> selector = 2;
  optional string clusterIP = 3;
  repeated string clusterIPs = 18;
  optional string type = 4;
  repeated string externalIPs = 5;
  optional string sessionAffinity = 7;
  optional string loadBalancerIP = 8;
  repeated string loadBalancerSourceRanges = 9;
  optional string externalName = 10;
  optional string externalTrafficPolicy = 11;
  optional int32 healthCheckNodePort = 12;
  optional bool publishNotReadyAddresses = 13;
  optional SessionAffinityConfig sessionAffinityConfig = 14;
  repeated string ipFamilies = 19;
  optional string ipFamilyPolicy = 17 [(pointer) = true];
  optional bool allocateLoadBalancerNodePorts = 20 [(pointer) = true];
  optional string loadBalancerClass = 21 [(pointer) = true];
  optional string internalTrafficPolicy = 22 [(pointer) = true];
  optional string trafficDistribution = 23 [(pointer) = true];
}
message ServicePort {
  optional string name = 1;
  optional string protocol = 2;
  optional string appProtocol = 6 [(pointer) = true];
  optional int32 port = 3;
  optional IntOrString targetPort = 4;
  optional int32 nodePort = 5;
}
message SessionAffinityConfig { optional ClientIPConfig clientIP = 1; }
message ClientIPConfig { optional int32 timeoutSeconds = 1 [(pointer) = true]; }
message ServiceStatus { optional LoadBalancerStatus loadBalancer = 1; repeated Condition conditions = 2; }
message LoadBalancerStatus { repeated LoadBalancerIngress ingress = 1; }
message LoadBalancerIngress {
  optional string ip = 1;
  optional string hostname = 2;
  optional string ipMode = 3 [(pointer) = true];
  repeated PortStatus ports = 4;
}
message PortStatus { optional int32 port = 1; optional string protocol = 2; optional string error = 3 [(pointer) = true]; }

// k8s.io/api/rbac/v1
message PolicyRule {
  repeated string verbs = 1;
  repeated string apiGroups = 2;
  repeated string resources = 3;
  repeated string resourceNames = 4;
  repeated string nonResourceURLs = 5;
}
message Role { optional ObjectMeta metadata = 1; repeated PolicyRule rules = 2; }
message Subject { optional string kind = 1; optional string apiGroup = 2; optional string name = 3; optional string namespace = 4; }
message RoleRef { optional string apiGroup = 1; optional string kind = 2; optional string name = 3; }
message RoleBinding { optional ObjectMeta metadata = 1; repeated Subject subjects = 2; optional RoleRef roleRef = 3; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
root.resolveAll();
const message = (name: string) => root.lookupType(`kubesim.${name}`);

const DECODED_KINDS: Record<string, string[]> = {
  v1: ['Namespace', 'Secret', 'ConfigMap', 'ServiceAccount', 'Service'],
  'rbac.authorization.k8s.io/v1': ['Role', 'RoleBinding'],
};

/** The objects kube-sim decodes from protobuf, by `apiVersion/kind`. */
export const PROTOBUF_KINDS: ReadonlyMap<string, protobuf.Type> = new Map(
  Object.entries(DECODED_KINDS).flatMap(([apiVersion, kinds]) =>
    kinds.map(kind => [`${apiVersion}/${kind}`, message(kind)] as const),
  ),
);

const DECODED_KINDS_TEXT = Object.entries(DECODED_KINDS)
  .map(([apiVersion, kinds]) => `${apiVersion} ${kinds.join(', ')}`)
  .join('; ');

const UNKNOWN = message('Unknown');
const TIME = message('Time');
const INT_OR_STRING = message('IntOrString');

function unsupported(detail: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `${detail}: kube-sim decodes ${PROTOBUF_CONTENT_TYPE} bodies only for ${DECODED_KINDS_TEXT}; ` +
      'send this object as application/json (e.g. `kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`)',
  );
}

/** True when a request's Content-Type is the Kubernetes protobuf media type. */
export function isProtobuf(contentType: string | undefined): boolean {
  return (
    (contentType ?? '').split(';')[0].trim().toLowerCase() ===
    PROTOBUF_CONTENT_TYPE
  );
}

function messageTypeOf(field: protobuf.Field): protobuf.Type | undefined {
  return field.resolvedType instanceof protobuf.Type
    ? field.resolvedType
    : undefined;
}

/** Refuses fields the schema above lacks, which protobufjs would otherwise skip silently. */
function assertKnownFields(
  type: protobuf.Type,
  bytes: Uint8Array,
  path: string,
): void {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = type.fieldsById[tag >>> 3];
    if (!field)
      throw unsupported(`unknown field number ${tag >>> 3} in ${path}`);
    const nested = messageTypeOf(field);
    // Map entries hold scalars only in this schema; their values need no walk.
    if (nested && !field.map && (tag & 7) === 2)
      assertKnownFields(nested, reader.bytes(), `${path}.${field.name}`);
    else reader.skipType(tag & 7);
  }
}

const toNumber = (value: number | protobuf.Long): number =>
  protobuf.util.LongBits.from(value).toNumber();

const isLong = (value: unknown): value is protobuf.Long =>
  typeof value === 'object' && value !== null && 'low' in value;

function isZero(value: unknown): boolean {
  if (isLong(value)) return toNumber(value) === 0;
  return value === '' || value === 0 || value === false;
}

function scalarToJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (isLong(value)) return toNumber(value);
  return value;
}

function valueToJson(
  nested: protobuf.Type | undefined,
  value: unknown,
): unknown {
  if (!nested) return scalarToJson(value);
  const msg = value as Record<string, any>;
  if (nested === TIME) {
    // metav1.Time: the zero time is JSON `null` (unset); otherwise RFC 3339 in whole seconds.
    const seconds = toNumber(msg.seconds ?? 0);
    if (seconds === 0 && toNumber(msg.nanos ?? 0) === 0) return undefined;
    return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (nested === INT_OR_STRING)
    return toNumber(msg.type ?? 0) === 1
      ? msg.strVal ?? ''
      : toNumber(msg.intVal ?? 0);
  return messageToJson(nested, msg);
}

function messageToJson(
  type: protobuf.Type,
  msg: Record<string, any>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(msg, field.name)) continue;
    const value = msg[field.name];
    const nested = messageTypeOf(field);
    let json: unknown;
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) continue;
      json = Object.fromEntries(
        entries.map(([k, v]) => [k, valueToJson(nested, v)]),
      );
    } else if (field.repeated) {
      if ((value as unknown[]).length === 0) continue;
      json = (value as unknown[]).map(v => valueToJson(nested, v));
    } else {
      if (!nested && !field.options?.['(pointer)'] && isZero(value)) continue;
      json = valueToJson(nested, value);
    }
    if (json !== undefined) out[field.name] = json;
  }
  return out;
}

function decodeEnvelope(bytes: Uint8Array): Record<string, unknown> {
  const envelope = UNKNOWN.decode(bytes) as Record<string, any>;
  const apiVersion: string = envelope.typeMeta?.apiVersion ?? '';
  const kind: string = envelope.typeMeta?.kind ?? '';
  if (envelope.contentEncoding)
    throw unsupported(
      `cannot decode content encoding "${envelope.contentEncoding}"`,
    );
  const type = PROTOBUF_KINDS.get(`${apiVersion}/${kind}`);
  if (!type)
    throw unsupported(`cannot decode ${apiVersion || '?'} ${kind || '?'}`);
  const raw: Uint8Array = envelope.raw ?? new Uint8Array();
  assertKnownFields(type, raw, kind);
  const object = type.decode(raw) as unknown as Record<string, any>;
  return { apiVersion, kind, ...messageToJson(type, object) };
}

/**
 * Decodes a Kubernetes protobuf request body (envelope + object) into the JSON form of the
 * object, with `apiVersion` and `kind` from the envelope. Throws 400 for a body that is not a
 * Kubernetes protobuf message and 415 for one kube-sim cannot represent.
 */
export function decodeProtobufObject(
  body: Uint8Array,
): Record<string, unknown> {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!bytes.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC))
    throw badRequest(
      'error decoding request body: protobuf body does not start with the "k8s\\x00" prefix',
    );
  try {
    return decodeEnvelope(bytes.subarray(PROTOBUF_MAGIC.length));
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

/**
 * The inverse, for tests: encodes `fields` (in protobufjs's `fromObject` form: bytes as base64,
 * `Time` as `{seconds}`, `IntOrString` as `{type, intVal, strVal}`) as client-go would send them.
 */
export function encodeProtobufObject(
  apiVersion: string,
  kind: string,
  fields: Record<string, unknown>,
): Buffer {
  const type = PROTOBUF_KINDS.get(`${apiVersion}/${kind}`);
  if (!type) throw new Error(`no protobuf message for ${apiVersion}/${kind}`);
  const envelope = UNKNOWN.encode({
    typeMeta: { apiVersion, kind },
    raw: type.encode(type.fromObject(fields)).finish(),
  }).finish();
  return Buffer.concat([PROTOBUF_MAGIC, envelope]);
}

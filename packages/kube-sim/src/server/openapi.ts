/**
 * kubectl downloads `/openapi/v2` (as protobuf, gnostic's openapi_v2.Document)
 * before `apply` to validate manifests client-side, and fails when it cannot.
 * It skips validation for kinds the document does not define, so the
 * simulator serves a document with no definitions: kubectl then relies on the
 * server, which validates with kubernetes-models. `/openapi/v3` stays 404,
 * which kubectl tolerates by falling back to v2.
 */
/** What the real server sends for the protobuf form (its `@` variant trips Go's MIME parser). */
export const OPENAPI_V2_PROTOBUF_TYPE =
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function lengthDelimited(fieldNumber: number, payload: Buffer): Buffer {
  const header: number[] = [(fieldNumber << 3) | 2];
  let length = payload.length;
  while (length > 0x7f) {
    header.push((length & 0x7f) | 0x80);
    length >>>= 7;
  }
  header.push(length);
  return Buffer.concat([Buffer.from(header), payload]);
}

const text = (fieldNumber: number, value: string) =>
  lengthDelimited(fieldNumber, Buffer.from(value, 'utf8'));

/** Document { swagger = 1; info = 2 { title = 1; version = 2 } } */
export function openApiV2Document(version: string): Buffer {
  const info = Buffer.concat([text(1, 'Kubernetes'), text(2, version)]);
  return Buffer.concat([text(1, '2.0'), lengthDelimited(2, info)]);
}

import fc from 'fast-check';
import { HUGE_STRINGS, malformedJson, wrongTypedValue } from './hostileValues';
import { type FuzzRequest, percentEncode, rawOrEncoded, textOf } from './FuzzRequest';
import { type Schema, SchemaArbitraries } from './schemaArbitraries';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/**
 * Longer path and query values are cut: past Node's 16 KB header limit every one gets the same 431,
 * and a multi-megabyte request line is reset before its answer can be read.
 */
const MAX_URL_VALUE = 20_000;
const urlText = (value: unknown) => textOf(value).slice(0, MAX_URL_VALUE);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  jsonBody?: Schema;
}

/** Every operation of the document: its method, path template, parameters and JSON body schema. */
export function operationsOf(document: any, schemas: SchemaArbitraries): Operation[] {
  return Object.entries(document.paths as Record<string, any>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter(key => HTTP_METHODS.includes(key))
      .map(method => {
        const operation = item[method];
        const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(
          p => schemas.resolve(p) as unknown as Parameter,
        );
        const jsonBody = operation.requestBody?.content?.['application/json']?.schema;
        return { method: method.toUpperCase(), path, parameters, jsonBody };
      }),
  );
}

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/merge-patch+json',
      'multipart/form-data; boundary=x',
      '',
    ),
  },
);

/**
 * Requests for one operation of the document, under `basePath`: path and query parameters and JSON
 * bodies valid-shaped or broken, from the operation's schemas; parameters' names tampered with
 * (arrays and objects in the query string, duplicates, unknown ones); bodies that are not JSON, or huge.
 * A third of them are valid throughout, so that the handlers behind the validator get their share.
 */
export function operationRequests(
  operation: Operation,
  schemas: SchemaArbitraries,
  options: { basePath: string; authorization: fc.Arbitrary<string | undefined>; validAuthorization: string },
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { weight: 2, arbitrary: mixedRequests(operation, schemas, options) },
    { weight: 1, arbitrary: validRequests(operation, schemas, options) },
  );
}

function validRequests(
  operation: Operation,
  schemas: SchemaArbitraries,
  options: { basePath: string; validAuthorization: string },
): fc.Arbitrary<FuzzRequest> {
  const pathParameters = operation.parameters.filter(p => p.in === 'path');
  const queryParameters = operation.parameters.filter(p => p.in === 'query');
  return fc
    .record({
      pathValues: fc.tuple(...pathParameters.map(p => schemas.valid(p.schema ?? {}, p.name))),
      queryValues: fc.tuple(
        ...queryParameters.map(p => (p.required ? schemas.valid(p.schema ?? {}, p.name) : fc.option(schemas.valid(p.schema ?? {}, p.name), { nil: undefined }))),
      ),
      body: operation.jsonBody ? schemas.valid(operation.jsonBody).map(v => JSON.stringify(v)) : fc.constant(undefined),
    })
    .map(({ pathValues, queryValues, body }) => {
      const path = pathParameters.reduce(
        (template, p, i) => template.replace(`{${p.name}}`, percentEncode(textOf(pathValues[i]))),
        operation.path,
      );
      const query = queryParameters
        .map((p, i) => (queryValues[i] === undefined ? undefined : `${p.name}=${percentEncode(textOf(queryValues[i]))}`))
        .filter((e): e is string => e !== undefined)
        .join('&');
      return {
        operation: `${operation.method} ${operation.path}`,
        variant: 'valid request',
        method: operation.method,
        path: `${options.basePath}${path}${query ? `?${query}` : ''}`,
        headers: {
          authorization: options.validAuthorization,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(operation.path.endsWith('/logs') ? { accept: 'text/event-stream' } : {}),
        },
        body,
      };
    });
}

function mixedRequests(
  operation: Operation,
  schemas: SchemaArbitraries,
  options: { basePath: string; authorization: fc.Arbitrary<string | undefined> },
): fc.Arbitrary<FuzzRequest> {
  const name = `${operation.method} ${operation.path}`;
  const pathParameters = operation.parameters.filter(p => p.in === 'path');
  const queryParameters = operation.parameters.filter(p => p.in === 'query');

  const path = fc
    .tuple(...pathParameters.map(p => fc.tuple(schemas.any(p.schema ?? {}, p.name), fc.boolean())))
    .map(values =>
      pathParameters.reduce(
        (template, p, i) => template.replace(`{${p.name}}`, rawOrEncoded(urlText(values[i][0]), values[i][1])),
        operation.path,
      ),
    );

  const queryEntry = (p: Parameter) =>
    fc.option(
      fc.tuple(
        schemas.any(p.schema ?? {}, p.name),
        fc.boolean(),
        fc.constantFrom(p.name, p.name, p.name, p.name, p.name, `${p.name}[]`, `${p.name}[x]`, `${p.name}[0][1]`),
        fc.constantFrom(1, 1, 1, 1, 2),
      ).map(([value, raw, key, times]) => Array(times).fill(`${key}=${rawOrEncoded(urlText(value), raw)}`).join('&')),
      { freq: 2, nil: undefined },
    );
  const unknownEntry = fc.option(fc.constantFrom('extra=1', 'limit', '=x', '&&', 'a=b=c', '__proto__[x]=1', 'constructor[prototype][x]=1'), { freq: 5, nil: undefined });
  const query = fc
    .tuple(...queryParameters.map(queryEntry), unknownEntry)
    .map(entries => entries.filter((e): e is string => e !== undefined).join('&'));

  const bodyArbitrary: fc.Arbitrary<{ variant: string; body?: string }> = operation.jsonBody
    ? fc.oneof(
        { weight: 5, arbitrary: schemas.valid(operation.jsonBody).map(v => ({ variant: 'valid body', body: JSON.stringify(v) })) },
        { weight: 5, arbitrary: schemas.invalid(operation.jsonBody).map(v => ({ variant: 'invalid body', body: JSON.stringify(v) ?? 'null' })) },
        { weight: 2, arbitrary: malformedJson.map(body => ({ variant: 'malformed JSON', body })) },
        {
          weight: 1,
          arbitrary: schemas
            .valid(operation.jsonBody)
            .map(v => ({ variant: 'huge body', body: JSON.stringify({ ...(v as object), prompt: HUGE_STRINGS['2 MB'] }) })),
        },
      )
    : fc.oneof(
        { weight: 8, arbitrary: fc.constant({ variant: 'no body' }) },
        { weight: 1, arbitrary: wrongTypedValue.map(v => ({ variant: 'unexpected body', body: JSON.stringify(v) ?? 'null' })) },
        { weight: 1, arbitrary: fc.constant({ variant: 'huge body', body: JSON.stringify({ prompt: HUGE_STRINGS['2 MB'] }) }) },
      );

  return fc
    .record({ path, query, body: bodyArbitrary, contentType, authorization: options.authorization })
    .map(({ path: p, query: q, body, contentType: type, authorization }) => ({
      operation: name,
      variant: body.variant,
      method: operation.method,
      path: `${options.basePath}${p}${q ? `?${q}` : ''}`,
      headers: {
        ...(authorization === undefined ? {} : { authorization }),
        ...(body.body !== undefined && type ? { 'content-type': type } : {}),
        ...(operation.path.endsWith('/logs') ? { accept: 'text/event-stream' } : {}),
      },
      body: body.body,
    }));
}

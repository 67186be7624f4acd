import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { operations } from '../generated/openapi';
import { openApiDocument } from '../generated/openapiDocument';

/** The operations of the agents API, by their OpenAPI operation ids. @public */
export type AgentsOperationId = keyof operations;

/** The parts of an OpenAPI document the validators read. */
type Reference = { $ref: string };
type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  schema: object;
};
type MediaTypes = Record<string, { schema?: object }>;
type Operation = {
  operationId: AgentsOperationId;
  parameters?: Array<Parameter | Reference>;
  requestBody?: { required?: boolean; content: MediaTypes };
  responses: Record<string, { content?: MediaTypes } | Reference>;
};
type PathItem = Record<string, Operation | Array<Parameter | Reference>>;
type Document = { paths: Record<string, PathItem> };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const DOCUMENT_ID = 'agents-openapi';

/** A validator that says what is wrong, or undefined when nothing is. */
type Check = (value: unknown) => string | undefined;

/** One operation of the document, with validators compiled from its schemas. */
export type SpecRoute = {
  operationId: AgentsOperationId;
  method: string;
  /** The path template, e.g. `/sessions/{id}`. */
  path: string;
  /** Matches a request path and captures its path parameters, in `pathParameters` order. */
  pattern: RegExp;
  pathParameters: string[];
  checkPath: Check;
  /** Coerces the query's values to the types the parameters declare, in place, and checks them. */
  checkQuery: Check;
  /** Undefined when the operation takes no JSON body. */
  checkBody?: Check;
  bodyRequired: boolean;
  /** The JSON body of an answer with this status; undefined when the document declares none. */
  checkResponse(status: number): Check | undefined;
};

/** The agents API as its OpenAPI document describes it, with validators for the fake. */
export type AgentsApiSpec = {
  routes: SpecRoute[];
  /** The data of the log stream's events: `log`, `status` and `end`. */
  checkLogEvent: Record<'log' | 'status' | 'end', Check>;
};

function pointer(...parts: string[]): string {
  return `${DOCUMENT_ID}#/${parts
    .map(p => p.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}`;
}

function resolve<T extends object>(value: T | Reference): T {
  if (!('$ref' in value)) return value;
  let target: unknown = openApiDocument;
  for (const part of value.$ref.replace(/^#\//, '').split('/')) {
    target = (target as Record<string, unknown>)[
      part.replace(/~1/g, '/').replace(/~0/g, '~')
    ];
  }
  return target as T;
}

function checker(ajv: Ajv2020, validate: ValidateFunction): Check {
  return value =>
    validate(value)
      ? undefined
      : ajv.errorsText(validate.errors, { dataVar: 'value' });
}

function compile(): AgentsApiSpec {
  // OpenAPI 3.1 schemas are JSON Schema 2020-12; the document's own keywords are mere annotations.
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addVocabulary([
    'openapi',
    'info',
    'servers',
    'security',
    'components',
    'paths',
  ]);
  ajv.addSchema({ ...openApiDocument, $id: DOCUMENT_ID });
  // Query values arrive as strings: this one converts them to the declared types while validating.
  const coercing = new Ajv2020({
    allErrors: true,
    strict: true,
    coerceTypes: true,
  });
  addFormats(coercing);

  const document = openApiDocument as unknown as Document;
  const routes: SpecRoute[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const shared = (item.parameters ?? []) as Array<Parameter | Reference>;
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      const parameters = [...shared, ...(operation.parameters ?? [])].map(p =>
        resolve(p),
      );
      const schemaOf = (location: string) => {
        const own = parameters.filter(p => p.in === location);
        return {
          type: 'object',
          // A parameter's schema may name a component (`harness`: HarnessName); the coercing
          // validator has no document to resolve it in.
          properties: Object.fromEntries(
            own.map(p => [p.name, resolve(p.schema as object)]),
          ),
          required: own.filter(p => p.required).map(p => p.name),
          additionalProperties: false,
        };
      };
      const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map(m => m[1]);
      const json = operation.requestBody?.content['application/json'];
      const responseChecks = new Map<string, Check | undefined>();
      for (const [status, response] of Object.entries(operation.responses)) {
        const target =
          '$ref' in response
            ? response.$ref.replace(/^#\//, '').split('/')
            : ['paths', path, method, 'responses', status];
        const content = resolve(response).content?.['application/json'];
        responseChecks.set(
          status,
          content?.schema
            ? checker(
                ajv,
                ajv.compile({
                  $ref: pointer(
                    ...target,
                    'content',
                    'application/json',
                    'schema',
                  ),
                }),
              )
            : undefined,
        );
      }
      routes.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '([^/]+)')}$`),
        pathParameters,
        checkPath: checker(ajv, ajv.compile(schemaOf('path'))),
        checkQuery: checker(coercing, coercing.compile(schemaOf('query'))),
        checkBody: json?.schema
          ? checker(
              ajv,
              ajv.compile({
                $ref: pointer(
                  'paths',
                  path,
                  method,
                  'requestBody',
                  'content',
                  'application/json',
                  'schema',
                ),
              }),
            )
          : undefined,
        bodyRequired: operation.requestBody?.required ?? false,
        checkResponse: status =>
          responseChecks.has(String(status))
            ? responseChecks.get(String(status))
            : responseChecks.get('default'),
      });
    }
  }
  const schema = (name: string) =>
    checker(ajv, ajv.compile({ $ref: pointer('components', 'schemas', name) }));
  return {
    routes,
    checkLogEvent: {
      log: schema('LogLine'),
      status: schema('LogStatusEvent'),
      end: schema('LogEndEvent'),
    },
  };
}

let compiled: AgentsApiSpec | undefined;

/** The agents API's OpenAPI document, compiled once per test file (compiling takes a moment). */
export function agentsApiSpec(): AgentsApiSpec {
  compiled ??= compile();
  return compiled;
}

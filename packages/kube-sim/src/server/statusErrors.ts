/** A Kubernetes `Status` object, the body of every error the API server returns. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  code: number;
  details?: StatusDetails;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Array<{ reason?: string; message: string; field?: string }>;
  retryAfterSeconds?: number;
}

/** An error that the HTTP layer renders as a `Status` body with the matching code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): StatusBody {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Identifies a resource the way the real server words its messages: `pods "x"`, `roles.rbac.authorization.k8s.io "y"`. */
export interface ResourceRef {
  group: string;
  plural: string;
  kind: string;
  name: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}

function detailsOf(ref: ResourceRef): StatusDetails {
  return { name: ref.name, group: ref.group || undefined, kind: ref.plural };
}

export function notFound(ref: ResourceRef): ApiError {
  return new ApiError(
    404,
    'NotFound',
    `${qualified(ref)} "${ref.name}" not found`,
    detailsOf(ref),
  );
}

export function alreadyExists(ref: ResourceRef): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualified(ref)} "${ref.name}" already exists`,
    detailsOf(ref),
  );
}

export function conflict(ref: ResourceRef, why: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name}": ${why}`,
    detailsOf(ref),
  );
}

export function invalid(
  ref: ResourceRef,
  causes: Array<{ field?: string; message: string }>,
): ApiError {
  const summary = causes
    .map(c => (c.field ? `${c.field}: ${c.message}` : c.message))
    .join(', ');
  return new ApiError(
    422,
    'Invalid',
    `${ref.kind} "${ref.name}" is invalid: ${summary}`,
    {
      name: ref.name,
      group: ref.group || undefined,
      kind: ref.kind,
      causes: causes.map(c => ({
        reason: 'FieldValueInvalid',
        message: c.message,
        field: c.field,
      })),
    },
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function forbidden(ref: ResourceRef, why: string): ApiError {
  return new ApiError(
    403,
    'Forbidden',
    `${qualified(ref)} "${ref.name}" is forbidden: ${why}`,
    detailsOf(ref),
  );
}

export function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function internalError(message: string): ApiError {
  return new ApiError(
    500,
    'InternalError',
    `Internal error occurred: ${message}`,
  );
}

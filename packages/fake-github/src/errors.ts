/** One entry of the `errors` array of a GitHub 422 "Validation Failed" body. */
export interface ValidationErrorEntry {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

export const DOCS = 'https://docs.github.com/rest';

/**
 * An error answered with GitHub's error body:
 * `{ message, errors?, documentation_url, status: "<code>" }`.
 */
export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS,
    readonly errors?: ValidationErrorEntry[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: this.documentationUrl,
      status: String(this.status),
    };
  }
}

export const notFound = (doc: string = DOCS) =>
  new GitHubError(404, 'Not Found', doc);

export const badCredentials = () =>
  new GitHubError(401, 'Bad credentials', DOCS);

export const requiresAuthentication = (doc: string = DOCS) =>
  new GitHubError(401, 'Requires authentication', doc);

export const jwtNotDecoded = () =>
  new GitHubError(401, 'A JSON web token could not be decoded', DOCS);

/** What GitHub answers when an installation token lacks the permission an endpoint needs. */
export const notAccessibleByIntegration = (
  doc: string,
  acceptedPermissions: string,
) =>
  new GitHubError(
    403,
    'Resource not accessible by integration',
    doc,
    undefined,
    { 'x-accepted-github-permissions': acceptedPermissions },
  );

export const validationFailed = (
  doc: string,
  errors: ValidationErrorEntry[],
  message = 'Validation Failed',
) => new GitHubError(422, message, doc, errors);

/**
 * An AWS query-protocol error, thrown by any layer of the emulator and turned into an
 * `<ErrorResponse>` by the server. `reason` never reaches the wire: it is recorded in `calls` so that
 * tests can tell apart failures AWS reports with one identical message (for example a reused MFA
 * code and a wrong one both read "MultiFactorAuthentication failed with invalid MFA one time pass
 * code.").
 */
export class AwsError extends Error {
  readonly status: number;
  readonly code: string;
  readonly reason?: string;

  constructor(status: number, code: string, message: string, reason?: string) {
    super(message);
    this.name = 'AwsError';
    this.status = status;
    this.code = code;
    this.reason = reason;
  }

  /** AWS marks client faults "Sender" and service faults "Receiver". */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const MFA_INVALID_MESSAGE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';

export const errors = {
  invalidClientTokenId: (reason?: string) =>
    new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.', reason),
  expiredToken: () =>
    new AwsError(403, 'ExpiredToken', 'The security token included in the request is expired', 'expired'),
  signatureDoesNotMatch: (
    message = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    reason?: string,
  ) => new AwsError(403, 'SignatureDoesNotMatch', message, reason),
  incompleteSignature: (message: string) => new AwsError(400, 'IncompleteSignature', message),
  missingAuthenticationToken: () =>
    new AwsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token'),
  accessDenied: (message: string, reason?: string) => new AwsError(403, 'AccessDenied', message, reason),
  mfaInvalid: (reason: string) => new AwsError(403, 'AccessDenied', MFA_INVALID_MESSAGE, reason),
  validation: (message: string, reason?: string) => new AwsError(400, 'ValidationError', message, reason),
  invalidAction: (message: string) => new AwsError(400, 'InvalidAction', message),
  missingAction: () => new AwsError(400, 'MissingAction', 'Missing Action'),
  throttling: () => new AwsError(400, 'Throttling', 'Rate exceeded', 'injected'),
  internalFailure: () =>
    new AwsError(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 'injected'),
  serviceUnavailable: () => new AwsError(503, 'ServiceUnavailable', 'Service is unable to handle request.', 'injected'),
  noSuchEntity: (message: string) => new AwsError(404, 'NoSuchEntity', message),
  limitExceeded: (message: string) => new AwsError(409, 'LimitExceeded', message),
  malformedPolicy: () => new AwsError(400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.'),
};

// Error values of the SDK. Client-side checks use the same codes as the calls SDK this
// one mirrors (ERROR_SDK_NOT_INITIALIZED, ERROR_AUTH_TOKEN_MISSING,
// ERROR_SESSION_ID_MISSING, VALIDATION_ERROR); errors that come from the hub keep the
// hub's code (PROTOCOL.md "Error codes").

export const ErrorCodes = Object.freeze({
    SDK_NOT_INITIALIZED: 'ERROR_SDK_NOT_INITIALIZED',
    AUTH_TOKEN_MISSING: 'ERROR_AUTH_TOKEN_MISSING',
    AUTH_TOKEN_INVALID: 'ERROR_AUTH_TOKEN_INVALID',
    SESSION_ID_MISSING: 'ERROR_SESSION_ID_MISSING',
    VALIDATION_ERROR: 'VALIDATION_ERROR',
    ALREADY_JOINED: 'ERROR_ALREADY_JOINED',
    NOT_JOINED: 'ERROR_NOT_JOINED',
    // Client-side only: the hub could not be reached, or the socket closed mid-request.
    NETWORK: 'ERROR_NETWORK',
    CONNECTION_LOST: 'ERROR_CONNECTION_LOST',
    TIMEOUT: 'ERROR_TIMEOUT',
});

export class SignalHubError extends Error {
    constructor(code, message, details = {}) {
        super(message || code);
        this.name = 'SignalHubError';
        this.code = code;
        // The calls SDK this mirrors reports `errorDescription`; keep both spellings.
        this.errorDescription = this.message;
        Object.assign(this, details);
    }

    // A plain object, for {data, error} results (survives structured clone and JSON).
    toJSON() {
        const out = { code: this.code, message: this.message };
        if (this.status !== undefined) out.status = this.status;
        return out;
    }
}

export function toSignalHubError(err) {
    if (err instanceof SignalHubError) return err;
    return new SignalHubError(ErrorCodes.NETWORK, String(err && err.message || err));
}

// {data, error} for calls that report failure without throwing.
export function failure(codeOrError, message) {
    const err = typeof codeOrError === 'string' ? new SignalHubError(codeOrError, message) : toSignalHubError(codeOrError);
    return { data: null, error: err.toJSON() };
}

export function success(data) {
    return { data: data === undefined ? null : data, error: null };
}

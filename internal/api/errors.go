package api

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Error codes: part of the API contract, listed in the OpenAPI
// description. Clients branch on the code, people read the message.
const (
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeBadRequest       = "bad_request"
	CodeInvalidJSON      = "invalid_json"
	CodeTooLarge         = "too_large"
	CodeUnsupportedType  = "unsupported_media_type"
	CodeConflict         = "conflict"
	CodeNotRecipient     = "not_recipient"
	CodeNotFlagged       = "not_flagged"
	CodeRecipientsNeeded = "recipients_required"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
	CodeRateLimited      = "rate_limited"
)

// Error is an API error: an HTTP status, a stable code and a sentence.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	err     error  // logged, never sent
}

func (e *Error) Error() string {
	if e.err != nil {
		return e.Code + ": " + e.Message + ": " + e.err.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.err }

func errBadRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: msg}
}
func errForbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: msg}
}
func errNotFound(msg string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: msg}
}
func errUnavailable(what string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: what + " is not available on this server"}
}

// asError maps any error to an API error; unknown errors are internal and
// their text stays in the log.
func asError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Message: "the request body is too large"}
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error", err: err}
}

func writeError(w http.ResponseWriter, err error) {
	ae := asError(err)
	writeJSON(w, ae.Status, struct {
		Error *Error `json:"error"`
	}{ae})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}

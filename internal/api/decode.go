package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// decode reads a JSON request body into v. Unknown fields are refused, so
// a misspelt field is an error rather than silently ignored; an empty body
// is allowed when emptyOK.
func decode(r *http.Request, v any, emptyOK bool) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err // MaxBytesError becomes too_large
	}
	if len(body) == 0 {
		if emptyOK {
			return nil
		}
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: "a JSON body is required"}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedType, Message: "send application/json"}
		}
	}
	dec := json.NewDecoder(bytesReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: jsonProblem(err)}
	}
	if dec.More() {
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: "one JSON object expected"}
	}
	return nil
}

// jsonProblem says what is wrong without echoing the input back.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be %s", te.Field, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return "invalid JSON: " + msg
}

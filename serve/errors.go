package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// apiError is the OpenAI error object.
type apiError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// writeError writes {"error": {...}} with the given status.
func writeError(w http.ResponseWriter, status int, typ, param, code, msg string) {
	e := apiError{Message: msg, Type: typ}
	if param != "" {
		e.Param = &param
	}
	if code != "" {
		e.Code = &code
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// badRequest is a client error with the parameter it concerns.
type badRequest struct {
	param string
	msg   string
}

func (e *badRequest) Error() string { return e.msg }

// errorf builds a badRequest for param.
func errorf(param, format string, args ...any) error {
	return &badRequest{param: param, msg: fmt.Sprintf(format, args...)}
}

// writeErr maps an error to its OpenAI error response.
func writeErr(w http.ResponseWriter, err error) {
	var br *badRequest
	var le *lengthError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "", "request_too_large", fmt.Sprintf("request body over %d bytes", mbe.Limit))
	case errors.As(err, &br):
		writeError(w, http.StatusBadRequest, "invalid_request_error", br.param, "", br.msg)
	case errors.As(err, &le):
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"message": le.msg, "type": "BadRequestError", "param": le.param, "code": http.StatusBadRequest}})
	case errors.Is(err, errOverloaded):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "server_error", "", "server_overloaded", err.Error())
	case errors.Is(err, errClosed):
		writeError(w, http.StatusServiceUnavailable, "server_error", "", "shutting_down", err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, 499, "invalid_request_error", "", "cancelled", "request cancelled: "+err.Error())
	default:
		writeError(w, http.StatusInternalServerError, "server_error", "", "", err.Error())
	}
}

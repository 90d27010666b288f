package fulfillment

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

type call struct {
	start    time.Time
	answered time.Duration // when the answer was written, from start
	req      *Request
	status   int
	timeout  bool
	answer   atomic.Uint32 // who answers: answerPending, answerByHandler or answerByTimeout
	ctx      *callCtx
	flex     *flexCall    // a flexible call's handler and tag; nil for a standard call
	sw       statusWriter // the writer the gate and the HTTP middleware get
	large    bool         // a large body is counted in flight (largebody.go) until finish

	// What the timeout response needs, set while the handler runs.
	w      http.ResponseWriter
	reqCtx context.Context // the context the handler got
}

type callKey struct{}

// statusWriter records the status an HTTP middleware writes (a 401 from the
// caller check), for the access line.
type statusWriter struct {
	http.ResponseWriter
	c *call
}

func (s *statusWriter) WriteHeader(code int) {
	if s.c.status == 0 {
		s.c.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.c.status == 0 {
		s.c.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// findStatusWriter finds ServeHTTP's statusWriter in w or in the writers
// it wraps (as http.ResponseController does, through Unwrap).
func findStatusWriter(w http.ResponseWriter) *statusWriter {
	for {
		switch x := w.(type) {
		case *statusWriter:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

package fulfillment

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 { // don't keep huge buffers alive
		bufPool.Put(b)
	}
}

// readBody reads the request body into buf: exactly Content-Length bytes
// when the length is known (it was checked against the limit), else up to
// the limit.
func readBody(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer, limit int64) error {
	if n := r.ContentLength; n >= 0 {
		buf.Grow(int(n))
		b := buf.AvailableBuffer()[:n]
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return err
		}
		buf.Write(b)
		return nil
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return err
}

// crossSiteContentType reports whether the request has a Content-Type that
// a browser sends cross-site without a CORS preflight (the "simple"
// request's types of the Fetch standard), matched case-insensitively and
// with any parameters. Dialogflow sends application/json.
func crossSiteContentType(h http.Header) bool {
	for _, v := range h["Content-Type"] { // canonical key: no canonicalizing
		if v == "application/json" {
			continue // the common case, at no cost
		}
		mt, _, _ := strings.Cut(v, ";")
		mt = strings.TrimSpace(mt)
		for _, simple := range [...]string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"} {
			if strings.EqualFold(mt, simple) {
				return true
			}
		}
	}
	return false
}

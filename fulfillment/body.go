package fulfillment

import (
	"bytes"
	"io"
	"net/http"
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

package fulfillment

import (
	"io"
	"net/http"
	"strings"
	"sync"
)

// Reading the body. Its memory follows the bytes received, whatever the
// Content-Length says: the buffer starts at firstBodyChunk (or the declared
// length, if smaller) and at most doubles each time it fills, up to the
// declared length (exactly) or the limit. A caller that declares 2 MiB and
// sends one byte holds 16 KiB, not 2 MiB. Bodies of up to maxPooledBody
// bytes, nearly all real ones, are read into buffers that are reused once
// decoded (their values are copied out); a larger body is read into a
// buffer of its own that the decoded request keeps and points into, so
// that its bytes are held once, not twice (see keepInput).
//
// How long reading may take is bounded by the call's deadline: see
// httpHandler.expireRead.
const (
	firstBodyChunk = 16 << 10
	maxPooledBody  = 64 << 10
)

var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, firstBodyChunk); return &b }}

// readBody reads the request body, of at most limit bytes (a declared
// Content-Length was checked against it). The body is in a pooled buffer
// if pooled is not nil: put it back with putBody once it is decoded. Once
// it outgrows the pool, readBody counts a large body in flight and sets
// *large; the call's end counts it out (releaseLarge), read whole or not.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, large *bool) (body []byte, pooled *[]byte, err error) {
	src, want := io.Reader(r.Body), r.ContentLength
	if want < 0 {
		src, want = http.MaxBytesReader(w, r.Body, limit), limit+1
	}
	pooled = bodyPool.Get().(*[]byte)
	buf := (*pooled)[:0]
	for int64(len(buf)) < want {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(int64(max(2*cap(buf), firstBodyChunk)), want))
			copy(grown, buf)
			if pooled != nil && cap(grown) > maxPooledBody {
				putBody(pooled, buf) // outgrown
				pooled = nil
				holdLarge() // released by the call's end (largebody.go)
				*large = true
			}
			buf = grown
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if r.ContentLength >= 0 && int64(len(buf)) < want {
				err = io.ErrUnexpectedEOF
			} else {
				break
			}
		}
		if err != nil {
			if pooled != nil {
				putBody(pooled, buf)
			}
			return nil, nil, err
		}
	}
	if pooled != nil {
		*pooled = buf // it may have grown
	}
	return buf, pooled, nil
}

// putBody returns a body's buffer to the pool.
func putBody(pooled *[]byte, buf []byte) {
	if cap(buf) <= maxPooledBody {
		*pooled = buf[:0]
		bodyPool.Put(pooled)
	}
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

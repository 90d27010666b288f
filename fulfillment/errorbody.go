package fulfillment

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// writeError writes the JSON error body and returns the status.
func writeError(w http.ResponseWriter, status int, code, msg string) int {
	body, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, msg})
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

// decodeErrorAttrs describe a decoding error by position and type only: the
// error's text can quote the input, which must not reach the logs.
func decodeErrorAttrs(err error, size int) []slog.Attr {
	attrs := []slog.Attr{slog.Int("body_bytes", size)}
	var se *json.SemanticError
	var syn *jsontext.SyntacticError
	var notObject notObjectError
	switch {
	case size == 0:
		attrs = append(attrs, slog.String("problem", "empty body"))
	case errors.As(err, &notObject):
		attrs = append(attrs, slog.String("problem", "not a JSON object"), slog.String("json_kind", notObject.kind))
	case errors.As(err, &se):
		attrs = append(attrs, slog.String("problem", "wrong type"), slog.Int64("offset", se.ByteOffset), slog.String("pointer", clip(string(se.JSONPointer))))
		if k := kindName(se.JSONKind); k != "" {
			attrs = append(attrs, slog.String("json_kind", k))
		}
		if se.GoType != nil {
			attrs = append(attrs, slog.String("go_type", se.GoType.String()))
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		attrs = append(attrs, slog.String("problem", "truncated JSON"))
		if errors.As(err, &syn) {
			attrs = append(attrs, slog.String("pointer", clip(string(syn.JSONPointer))))
		}
	case errors.As(err, &syn):
		attrs = append(attrs, slog.String("problem", "malformed JSON"), slog.Int64("offset", syn.ByteOffset), slog.String("pointer", clip(string(syn.JSONPointer))))
	default:
		attrs = append(attrs, slog.String("problem", "invalid"))
	}
	return attrs
}

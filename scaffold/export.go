package scaffold

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cxhook/cxhook/agent"
	"github.com/go-json-experiment/json/jsontext"
)

// Open opens the agent exported as a JSON package at name, as agent.Load
// reads it: a folder, a .zip file (with or without one folder around the
// export), or the agent.json of an unpacked export. The file system's root
// is the export's: agent.json is at its top. Close the closer when done.
func Open(name string) (fs.FS, io.Closer, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	var fsys fs.FS
	var closer io.Closer = noCloser{}
	switch {
	case fi.IsDir():
		fsys = os.DirFS(name)
	case filepath.Base(name) == "agent.json":
		fsys = os.DirFS(filepath.Dir(name))
	default:
		zr, err := zip.OpenReader(name)
		if err != nil {
			if strings.EqualFold(filepath.Ext(name), ".blob") {
				return nil, nil, fmt.Errorf("%s: %w: a .blob export is a serialized protobuf only Dialogflow can read; export the agent again as JSON package", name, agent.ErrNotJSONPackage)
			}
			return nil, nil, fmt.Errorf("%s: %w: want a folder, a .zip file or agent.json (export the agent as JSON package)", name, agent.ErrNotJSONPackage)
		}
		if len(zr.File) > agent.MaxFiles {
			zr.Close()
			return nil, nil, fmt.Errorf("%s: the archive holds %d files, more than %d", name, len(zr.File), agent.MaxFiles)
		}
		fsys, closer = zr, zr
	}
	root, err := exportRoot(fsys)
	if err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return root, closer, nil
}

type noCloser struct{}

func (noCloser) Close() error { return nil }

// exportRoot finds the folder of fsys that holds agent.json: the root, or
// its only folder (macOS's __MACOSX and hidden folders aside), as
// agent.LoadFS does.
func exportRoot(fsys fs.FS) (fs.FS, error) {
	if fi, err := fs.Stat(fsys, "agent.json"); err == nil && !fi.IsDir() {
		return fsys, nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && !skipped(e.Name()) {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) == 1 {
		if fi, err := fs.Stat(fsys, dirs[0]+"/agent.json"); err == nil && !fi.IsDir() {
			return fs.Sub(fsys, dirs[0])
		}
	}
	return nil, fmt.Errorf("%w: no agent.json at the export's root or in one folder under it", agent.ErrNotJSONPackage)
}

// skipped reports whether a file or folder of an export is left out of
// the copy: macOS's __MACOSX folders and hidden files.
func skipped(name string) bool { return name == "__MACOSX" || strings.HasPrefix(name, ".") }

// copyExport returns the export's files, in path order, for
// testdata/agent: each file as it is, except that the credentials a
// webhook file may hold are replaced by "REDACTED" (see redact). notes
// say what was replaced. It reads at most agent.MaxFiles files and
// agent.MaxExportSize bytes, as loading does.
func copyExport(export fs.FS) (files []File, notes []string, err error) {
	var total int64
	err = fs.WalkDir(export, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != "." && skipped(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if len(files) >= agent.MaxFiles {
			return fmt.Errorf("%s: the export has more than %d files", name, agent.MaxFiles)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > agent.MaxFileSize {
			return fmt.Errorf("%s: larger than %d MiB", name, agent.MaxFileSize>>20)
		}
		if total += info.Size(); total > agent.MaxExportSize {
			return fmt.Errorf("%s: the export is larger than %d MiB", name, agent.MaxExportSize>>20)
		}
		b, err := fs.ReadFile(export, name)
		if err != nil {
			return err
		}
		if int64(len(b)) > agent.MaxFileSize {
			return fmt.Errorf("%s: larger than %d MiB", name, agent.MaxFileSize>>20)
		}
		if path.Dir(name) == "webhooks" && strings.HasSuffix(name, ".json") {
			var found []string
			b, found = redact(b)
			for _, p := range found {
				notes = append(notes, fmt.Sprintf("%s: %s: a credential; the copy in testdata/agent has REDACTED instead", name, p))
			}
		}
		files = append(files, File{Path: "testdata/agent/" + name, Data: b})
		return nil
	})
	return files, notes, err
}

// secretPointer matches the JSON pointers of a webhook file's credentials:
// the basic-auth password, request header values (Dialogflow sends them
// with each call: API keys, tokens) and the OAuth client secret, of a
// generic web service or of one behind Service Directory. Exports made
// from August 2025 on leave them out; older ones, and hand-made files,
// hold them.
var secretPointer = regexp.MustCompile(`^(/serviceDirectory)?/genericWebService/(password|oauthConfig/clientSecret|requestHeaders/[^/]+(/value)?)$`)

// redact replaces the string values at secretPointer by "REDACTED", and
// keeps every other byte of the file. It returns the JSON paths it
// replaced, dotted as loading's problems write them. A file that is not
// valid JSON is returned as it is (loading reports it).
func redact(b []byte) ([]byte, []string) {
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	type span struct{ start, end int64 }
	var spans []span
	var found []string
	for {
		kind, n := dec.StackIndex(dec.StackDepth())
		isName := kind == '{' && n%2 == 0
		if dec.PeekKind() == '"' && !isName {
			v, err := dec.ReadValue()
			if err != nil {
				return b, nil
			}
			ptr := string(dec.StackPointer())
			if secretPointer.MatchString(ptr) && string(v) != `"REDACTED"` && string(v) != `""` {
				end := dec.InputOffset()
				spans = append(spans, span{end - int64(len(v)), end})
				found = append(found, dotted(ptr))
			}
			continue
		}
		if _, err := dec.ReadToken(); err != nil {
			if !errors.Is(err, io.EOF) {
				return b, nil
			}
			break
		}
	}
	if len(spans) == 0 {
		return b, nil
	}
	var out bytes.Buffer
	last := int64(0)
	for _, s := range spans {
		out.Write(b[last:s.start])
		out.WriteString(`"REDACTED"`)
		last = s.end
	}
	out.Write(b[last:])
	return out.Bytes(), found
}

// dotted writes a JSON pointer as a dotted path with indexes in brackets:
// genericWebService.requestHeaders[0].value.
func dotted(ptr string) string {
	var b strings.Builder
	for i, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		switch {
		case seg != "" && strings.Trim(seg, "0123456789") == "":
			b.WriteString("[" + seg + "]")
		case i > 0:
			b.WriteString("." + seg)
		default:
			b.WriteString(seg)
		}
	}
	return b.String()
}

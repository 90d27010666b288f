package agent

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
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Limits on what loading reads, so that a hostile or broken archive (a zip
// bomb, a folder with millions of files) cannot exhaust memory. Real
// exports are far below them: the largest of the shared agents is 1.5 MB
// in 168 files.
const (
	// MaxFileSize bounds one JSON file of the export.
	MaxFileSize = 32 << 20
	// MaxExportSize bounds the bytes of all the files loading reads.
	MaxExportSize = 512 << 20
	// MaxFiles bounds the number of files loading reads.
	MaxFiles = 200000
)

// ErrNotJSONPackage is the error for a file that is not a JSON package
// export: a .blob export (the console's default format), or anything else
// that is not a zip. [Load] wraps it with the file's name and what to do.
var ErrNotJSONPackage = errors.New("not a JSON package export")

// A Problem is one thing wrong in an export: a file that is not JSON, a
// field of the wrong type, a reference to a resource the export lacks.
type Problem struct {
	Loc Location
	Msg string
}

func (p Problem) Error() string { return p.Loc.String() + ": " + p.Msg }

// A LoadError lists the problems found while loading an export. Loading
// goes on past each problem: the field or resource it concerns is left out
// (a reference that does not resolve stays nil), and the rest loads.
type LoadError struct {
	Problems []Problem
}

func (e *LoadError) Error() string {
	const shown = 10
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("agent export has a problem: ")
	} else {
		fmt.Fprintf(&b, "agent export has %d problems: ", len(e.Problems))
	}
	for i, p := range e.Problems {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-shown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Load loads the agent exported as a JSON package at name: a folder, a
// .zip file, or the agent.json file of an unpacked export. The export's
// files may sit at the root or inside one folder (as when a zip holds
// agent/agent.json). A .blob export is refused with [ErrNotJSONPackage].
//
// If the export can be read but has problems, Load returns the agent and a
// *[LoadError] that lists them all; references it could not resolve are
// nil in the agent. If the export cannot be read at all, the agent is nil.
func Load(name string) (*Agent, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return LoadFS(os.DirFS(name))
	}
	if filepath.Base(name) == "agent.json" {
		return LoadFS(os.DirFS(filepath.Dir(name)))
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var magic [4]byte
	if n, _ := io.ReadFull(f, magic[:]); !isZip(magic[:n]) {
		if strings.EqualFold(filepath.Ext(name), ".blob") {
			return nil, fmt.Errorf("%s: %w: a .blob export is a serialized protobuf only Dialogflow can read; export the agent again as JSON package (console: Agent settings, Export, format JSON package; API: agents.export with dataFormat JSON_PACKAGE)", name, ErrNotJSONPackage)
		}
		return nil, fmt.Errorf("%s: %w: want a folder, a .zip file or agent.json (export the agent as JSON package)", name, ErrNotJSONPackage)
	}
	return LoadZip(f, fi.Size())
}

func isZip(magic []byte) bool {
	return bytes.Equal(magic, []byte("PK\x03\x04")) || bytes.Equal(magic, []byte("PK\x05\x06"))
}

// LoadZip loads an export from a zip archive of size bytes; see [Load].
func LoadZip(r io.ReaderAt, size int64) (*Agent, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrNotJSONPackage, err)
	}
	if len(zr.File) > MaxFiles {
		return nil, fmt.Errorf("the archive holds %d files, more than %d", len(zr.File), MaxFiles)
	}
	return LoadFS(zr)
}

// LoadFS loads an export from a file system whose root holds agent.json,
// or holds one folder that does; see [Load]. File names in problems and
// locations are relative to the export's root. LoadFS reads files from
// several goroutines at once: fsys must allow that, as os.DirFS,
// *zip.Reader and fstest.MapFS do.
func LoadFS(fsys fs.FS) (*Agent, error) {
	root, err := exportRoot(fsys)
	if err != nil {
		return nil, err
	}
	l := &loader{fsys: root}
	a := l.load()
	if a == nil {
		return nil, l.problems[0]
	}
	if len(l.problems) > 0 {
		return a, &LoadError{Problems: l.problems}
	}
	return a, nil
}

// exportRoot finds the folder of fsys that holds agent.json: the root, or
// its only folder (macOS's __MACOSX and hidden folders aside).
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
		if e.IsDir() && e.Name() != "__MACOSX" && !strings.HasPrefix(e.Name(), ".") {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) == 1 {
		if fi, err := fs.Stat(fsys, dirs[0]+"/agent.json"); err == nil && !fi.IsDir() {
			return fs.Sub(fsys, dirs[0])
		}
	}
	return nil, fmt.Errorf("%w: no agent.json at the export's root or in one folder under it", ErrNotJSONPackage)
}

// A loader reads the files of one export and builds the Agent.
type loader struct {
	fsys     fs.FS
	problems []Problem
	files    int
	bytes    int64
	full     bool // a limit was reached: stop reading
	cache    map[string]decoded
	dirs     map[string]dirResult
}

func (l *loader) problem(loc Location, format string, args ...any) {
	l.problems = append(l.problems, Problem{loc, fmt.Sprintf(format, args...)})
}

var errTooLarge = fmt.Errorf("larger than %d MiB; not read", MaxFileSize>>20)

// account counts a file of size bytes against the limits; false means the
// file is not to be used.
func (l *loader) account(name string, size int) bool {
	if l.full {
		return false
	}
	l.files++
	if l.files > MaxFiles {
		l.full = true
		l.problem(Location{File: name}, "the export has more than %d files; the rest is not read", MaxFiles)
		return false
	}
	l.bytes += int64(size)
	if l.bytes > MaxExportSize {
		l.full = true
		l.problem(Location{File: name}, "the export is larger than %d MiB; the rest is not read", MaxExportSize>>20)
		return false
	}
	return true
}

func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

// pathError drops the file name a *fs.PathError repeats.
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// decodeOptions are lenient where exports vary and a hand edit may slip:
// members the types lack are skipped (the default), duplicate names keep
// the last value, invalid UTF-8 becomes U+FFFD.
var decodeOptions = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// decode reads the JSON file name into v, reporting a problem if it cannot.
func (l *loader) decode(name string, v any) bool {
	if l.full {
		return false
	}
	d, ok := l.cached(name, v)
	if !ok {
		b, err := l.readRaw(name)
		d = decoded{size: len(b), err: err}
		if err == nil {
			d.err = json.Unmarshal(b, v, decodeOptions)
		}
	}
	if !l.account(name, d.size) {
		return false
	}
	if d.err == errTooLarge || errors.Is(d.err, fs.ErrNotExist) || errors.Is(d.err, fs.ErrPermission) {
		l.problem(Location{File: name}, "%v", d.err)
		return false
	}
	if d.err != nil {
		loc, msg := jsonProblem(d.err)
		loc.File = name
		l.problem(loc, "%s", msg)
		return false
	}
	return true
}

// jsonProblem turns a JSON v2 error into a location and a message that
// names the types involved.
func jsonProblem(err error) (Location, string) {
	var se *json.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		var msg string
		if se.GoType != nil && se.JSONKind != 0 {
			msg = fmt.Sprintf("want %s, got %s", goTypeName(se.GoType.String()), kindName(se.JSONKind))
		}
		if se.Err != nil {
			msg = strings.TrimPrefix(msg+": "+clip(se.Err.Error()), ": ")
		}
		if msg == "" {
			msg = "cannot read this value"
		}
		return Location{Path: jsonPath(se.JSONPointer)}, msg
	case errors.As(err, &syn):
		return Location{Path: jsonPath(syn.JSONPointer)}, fmt.Sprintf("invalid JSON at byte %d: %s", syn.ByteOffset, clip(syn.Err.Error()))
	}
	return Location{}, clip(err.Error())
}

// goTypeName names a Go type of the wire structs the way a user of the
// export understands it.
func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "string" || t == "agent.stringValue":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "float") || t == "agent.int64Value":
		return "a number"
	case t == "agent.duration":
		return `a duration ({"seconds": N})`
	case t == "agent.timestamp":
		return `a timestamp ({"seconds": N, "nanos": N})`
	case t == "agent.keyValues" || t == "agent.xSecretMap":
		return `a list of {"key", "value"} objects`
	}
	return "an object"
}

// jsonPath writes a JSON Pointer as a path: /a/0/b becomes a[0].b.
func jsonPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func clip(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// jsonFiles returns the .json files directly in dir, sorted by name; none
// if dir does not exist.
func (l *loader) jsonFiles(dir string) []string {
	entries, err := l.readDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.problem(Location{File: dir}, "%v", pathError(err))
		}
		return nil
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			files = append(files, path.Join(dir, e.Name()))
		}
	}
	return files
}

// subdirs returns the folders directly in dir, sorted by name.
func (l *loader) subdirs(dir string) []string {
	entries, err := l.readDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.problem(Location{File: dir}, "%v", pathError(err))
		}
		return nil
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			dirs = append(dirs, path.Join(dir, e.Name()))
		}
	}
	return dirs
}

// resourceFile returns the file that defines the resource of folder dir
// (flows/F/F.json): the .json file named like the folder, or the only .json
// file in it.
func (l *loader) resourceFile(dir string) (string, bool) {
	files := l.jsonFiles(dir)
	want := path.Join(dir, path.Base(dir)+".json")
	for _, f := range files {
		if f == want {
			return f, true
		}
	}
	if len(files) == 1 {
		return files[0], true
	}
	if len(files) == 0 {
		l.problem(Location{File: dir}, "no .json file defines this resource")
	} else {
		l.problem(Location{File: dir}, "%d .json files and none named %s", len(files), path.Base(want))
	}
	return "", false
}

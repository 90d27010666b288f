package agent

import (
	"io"
	"io/fs"
	"path"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-json-experiment/json"
)

// Decoding the files is most of a load's work, and files are independent:
// prefetch decodes them on all cores before the sequential passes, which
// then take each file's result from the cache in their own order, so that
// problems come out in the same order every time. A file the cache lacks
// (or holds as another type) is read and decoded when asked for, as
// without the cache.

type decoded struct {
	v    any   // a pointer to the export type
	err  error // from reading or decoding
	size int
}

// prefetchKinds maps the layout of an export to the type each file
// decodes into. "*" matches one folder name.
var prefetchKinds = []struct {
	dir string
	new func() any
}{
	{"flows/*", func() any { return new(xFlow) }},
	{"flows/*/pages", func() any { return new(xPage) }},
	{"flows/*/transitionRouteGroups", func() any { return new(xRouteGroup) }},
	{"agentTransitionRouteGroups", func() any { return new(xRouteGroup) }},
	{"intents/*", func() any { return new(xIntent) }},
	{"intents/*/trainingPhrases", func() any { return new(xTrainingPhrases) }},
	{"entityTypes/*", func() any { return new(xEntityType) }},
	{"entityTypes/*/entities", func() any { return new(xEntities) }},
	{"entityTypes/*/excludedPhrases", func() any { return new(xExcludedPhrases) }},
	{"webhooks", func() any { return new(xWebhook) }},
	{"generators/*", func() any { return new(xGenerator) }},
	{"generators/*/phrases", func() any { return new(xGenerator) }},
	{"testCases", func() any { return new(xTestCase) }},
}

type prefetchJob struct {
	name string
	new  func() any
}

// prefetch decodes the export's files concurrently into l.cache. It reads
// at most MaxFiles files and about MaxExportSize bytes; the sequential
// passes enforce the limits exactly.
func (l *loader) prefetch() {
	var jobs []prefetchJob
	for _, k := range prefetchKinds {
		for _, dir := range l.glob(k.dir) {
			for _, name := range l.listJSON(dir) {
				if len(jobs) < MaxFiles {
					jobs = append(jobs, prefetchJob{name, k.new})
				}
			}
		}
	}
	results := make([]decoded, len(jobs))
	var next, total atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) || total.Load() > MaxExportSize {
					return
				}
				b, err := l.readRaw(jobs[i].name)
				total.Add(int64(len(b)))
				r := decoded{size: len(b), err: err}
				if err == nil {
					r.v = jobs[i].new()
					r.err = json.Unmarshal(b, r.v, decodeOptions)
				}
				results[i] = r
			}
		})
	}
	wg.Wait()
	l.cache = make(map[string]decoded, len(jobs))
	for i, j := range jobs {
		if results[i].v != nil || results[i].err != nil {
			l.cache[j.name] = results[i]
		}
	}
}

// cached copies a prefetched result into v; ok is false if there is none
// of v's type.
func (l *loader) cached(name string, v any) (d decoded, ok bool) {
	d, ok = l.cache[name]
	if !ok || d.v == nil && d.err == nil {
		return decoded{}, false
	}
	delete(l.cache, name)
	if d.v != nil {
		if reflect.TypeOf(d.v) != reflect.TypeOf(v) {
			return decoded{}, false
		}
		reflect.ValueOf(v).Elem().Set(reflect.ValueOf(d.v).Elem())
	}
	return d, true
}

// readRaw reads a file within MaxFileSize; errors are those read reports.
func (l *loader) readRaw(name string) ([]byte, error) {
	f, err := l.fsys.Open(name)
	if err != nil {
		return nil, pathError(err)
	}
	defer f.Close()
	// One allocation of the file's size, where io.ReadAll would grow its
	// buffer step by step: most of a load's garbage otherwise.
	size := 512
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() <= MaxFileSize {
		size = int(fi.Size()) + 1 // +1 to see the end of the file without growing
	}
	b := make([]byte, 0, size)
	r := io.LimitReader(f, MaxFileSize+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, pathError(err)
		}
	}
	if len(b) > MaxFileSize {
		return nil, errTooLarge
	}
	return trimBOM(b), nil
}

// glob expands a prefetchKinds pattern into folders.
func (l *loader) glob(pattern string) []string {
	dirs := []string{"."}
	for _, part := range strings.Split(pattern, "/") {
		var next []string
		for _, d := range dirs {
			if part != "*" {
				next = append(next, path.Join(d, part))
				continue
			}
			entries, _ := l.readDir(d)
			for _, e := range entries {
				if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
					next = append(next, path.Join(d, e.Name()))
				}
			}
		}
		dirs = next
	}
	return dirs
}

// listJSON returns the .json files of dir, without reporting problems.
func (l *loader) listJSON(dir string) []string {
	entries, _ := l.readDir(dir)
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	return out
}

// readDir lists a folder once per load.
func (l *loader) readDir(dir string) ([]fs.DirEntry, error) {
	if r, ok := l.dirs[dir]; ok {
		return r.entries, r.err
	}
	entries, err := fs.ReadDir(l.fsys, dir)
	if l.dirs == nil {
		l.dirs = map[string]dirResult{}
	}
	l.dirs[dir] = dirResult{entries, err}
	return entries, err
}

type dirResult struct {
	entries []fs.DirEntry
	err     error
}

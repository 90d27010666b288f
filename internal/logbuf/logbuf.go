// Package logbuf is a log sink for tests: a buffer that the code under test
// may write to from many goroutines (servers, timers) while the test reads
// it.
package logbuf

import (
	"bytes"
	"strings"
	"sync"
)

// Buffer collects what is written to it. The zero value is ready to use.
type Buffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Lines returns everything written so far, a line each, newlines kept.
func (b *Buffer) Lines() []string {
	var lines []string
	for l := range strings.Lines(b.String()) {
		lines = append(lines, l)
	}
	return lines
}

// Writes returns how many Write calls there were.
func (b *Buffer) Writes() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.writes
}

package setup

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
)

// EnvMemoryLimit is the Go runtime's soft memory limit. [Setup.Env] sets it
// from the instance's memory, so that a burst of calls makes the garbage
// collector work harder instead of getting the instance killed for using
// more memory than it has.
const EnvMemoryLimit = "GOMEMLIMIT"

// DefaultMemory is the memory of a new function's instances when no size
// is given, as the Cloud Functions API writes its default: 256M (the v1
// API's 256MB).
const DefaultMemory = "256M"

// memoryLimitPercent is the share of the instance's memory that
// [MemoryLimit] gives the Go runtime. GOMEMLIMIT counts the heap, the
// goroutine stacks and the runtime's own structures; the rest of the
// instance's memory holds the binary's code and data, which the limit does
// not count, and leaves a margin for what the runtime frees late.
const memoryLimitPercent = 85

// memorySize is gcloud's --memory syntax: a number and a unit k, M, G
// (powers of 1000) or Ki, Mi, Gi (powers of 1024), optionally followed by
// b or B, which means bytes ("512MB" is 1st gen's form). Without a unit the
// number is bytes, as the Cloud Functions API reads it.
var memorySize = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)(k|K|M|G|Ki|Mi|Gi)?[bB]?$`)

// ParseMemory returns the size in bytes of an instance memory written as
// gcloud's --memory takes it: 512Mi, 1Gi, 2G, 512MB.
func ParseMemory(s string) (int64, error) {
	m := memorySize.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("memory %q: want a size such as 512Mi, 1Gi or 512MB (units k, M, G, Ki, Mi, Gi)", s)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("memory %q: %w", s, err)
	}
	unit := map[string]float64{"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}[m[2]]
	b := n * unit
	if b < 1<<20 || b > 1<<40 {
		return 0, fmt.Errorf("memory %q: want from 1Mi to 1024Gi", s)
	}
	return int64(b), nil
}

// MemoryLimit returns the GOMEMLIMIT for instances with the given memory
// (gcloud's --memory syntax): 85 % of it in whole MiB, "217MiB" for 256Mi.
func MemoryLimit(memory string) (string, error) {
	b, err := ParseMemory(memory)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(int64(math.Floor(float64(b)*memoryLimitPercent/100/(1<<20))), 10) + "MiB", nil
}

// goMemLimit is the syntax of GOMEMLIMIT: a number of bytes with an
// optional unit B, KiB, MiB, GiB or TiB, or "off".
var goMemLimit = regexp.MustCompile(`^([0-9]+(B|KiB|MiB|GiB|TiB)?|off)$`)

// PlannedMemoryLimit returns the GOMEMLIMIT that [Setup.Env] would set,
// as far as it is known without reading the function: c.MemoryLimit, or
// the limit for c.Memory, or else a placeholder with the default's limit.
func (c Config) PlannedMemoryLimit() string {
	if c.MemoryLimit != "" {
		return c.MemoryLimit
	}
	if c.Memory != "" {
		if limit, err := MemoryLimit(c.Memory); err == nil {
			return limit
		}
	}
	limit, _ := MemoryLimit(DefaultMemory)
	return "<85% of the function memory, " + limit + " for a new function>"
}

// memoryLimit returns the GOMEMLIMIT to deploy cfg's function with:
// cfg.MemoryLimit if set, else 85 % of cfg.Memory, else 85 % of the
// function's memory, which gcloud keeps when --memory is not given (read
// from the function; DefaultMemory for a new one).
func (s *Setup) memoryLimit(ctx context.Context, cfg Config) (string, error) {
	if cfg.MemoryLimit != "" {
		s.logf("%s=%s, as given", EnvMemoryLimit, cfg.MemoryLimit)
		return cfg.MemoryLimit, nil
	}
	memory := cfg.Memory
	if memory == "" {
		mem, exists, err := s.functions.memory(ctx, cfg.Gen, cfg.FunctionName())
		if err != nil {
			return "", call{
				what:       "reading function " + cfg.FunctionName(),
				permission: "cloudfunctions.functions.get",
				resource:   cfg.FunctionName(),
				project:    cfg.Project,
			}.explain(err)
		}
		switch {
		case !exists:
			memory = DefaultMemory
			s.logf("function %s does not exist yet: its instances get %s", cfg.FunctionName(), memory)
		case mem == "":
			memory = DefaultMemory
			s.logf("function %s reports no memory size: taking the default, %s", cfg.FunctionName(), memory)
		default:
			memory = mem
			s.logf("function %s has %s per instance", cfg.FunctionName(), memory)
		}
	}
	limit, err := MemoryLimit(memory)
	if err != nil {
		return "", err
	}
	s.logf("%s=%s: %d%% of %s", EnvMemoryLimit, limit, memoryLimitPercent, memory)
	return limit, nil
}

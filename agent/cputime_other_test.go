//go:build !unix

package agent_test

import "time"

// cpuTime is not measured here: cpu-ms/load reads 0.
func cpuTime() time.Duration { return 0 }

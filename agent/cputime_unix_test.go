//go:build unix

package agent_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, user and system, as
// the kernel counts it: on a machine that other work shares, ms/load
// counts the waits for a core and cpu-ms/load does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Package flock takes advisory, exclusive OS locks on open files: flock(2)
// on unix, LockFileEx on Windows. A lock belongs to the open file (its open
// file description or handle), not to the process, so two opens of one file
// in the same process exclude each other; the OS drops it when the file is
// closed or the process dies, however it dies.
package flock

import (
	"errors"
	"os"
)

// ErrLocked reports that another open file holds the lock.
var ErrLocked = errors.New("file is locked by another process")

// TryLock takes an exclusive lock on f without waiting: it returns
// ErrLocked at once when another open file holds one.
func TryLock(f *os.File) error { return lock(f, false) }

// Lock takes an exclusive lock on f, waiting for any holder to let go.
func Lock(f *os.File) error { return lock(f, true) }

// Unlock releases a lock taken on f (closing f releases it too).
func Unlock(f *os.File) error { return unlock(f) }

package ui

import "testing"

// TestCacheWriterCloseWaitsForTheWriteInProgress: close returns only after
// a write in progress has finished, and a write after close never runs.
func TestCacheWriterCloseWaitsForTheWriteInProgress(t *testing.T) {
	t.Parallel()
	var w cacheWriter
	inWrite, release, closed := make(chan struct{}), make(chan struct{}), make(chan struct{})
	finished := false
	go w.save(func() {
		close(inWrite)
		<-release
		finished = true
	})
	<-inWrite
	go func() {
		w.close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("close returned while a write was in progress")
	default:
	}
	close(release)
	<-closed
	if !finished {
		t.Fatal("close returned before the write finished")
	}
	ran := false
	w.save(func() { ran = true })
	if ran {
		t.Fatal("a write ran after close")
	}
}

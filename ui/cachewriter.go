package ui

import "sync"

// cacheWriter orders the risk cache's writes with the console's end: a
// write in progress finishes before Close returns, and none starts after,
// so quitting never leaves a write running behind the program.
type cacheWriter struct {
	mu     sync.Mutex
	closed bool
}

// save runs write unless the console has ended (a model built without a
// writer, as in benchmarks, writes at once).
func (w *cacheWriter) save(write func()) {
	if w == nil {
		write()
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		write()
	}
}

// close waits for a write in progress and refuses later ones.
func (w *cacheWriter) close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

// Close ends the console's background file writes: a risk-cache write in
// progress finishes, and none starts after. Call it once the program has
// returned.
func (m Model) Close() { m.c.cache.close() }

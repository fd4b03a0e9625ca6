// Package applog keeps append-only files of newline-terminated records (the
// job journals and the audit log) whole across crashes and full disks.
//
// A record exists once its line, newline included, is on disk. A crash or a
// failed write can leave a torn last line (no newline): Open cuts it off
// before the first append, so a new record never merges with it, and Scan
// ignores it. Every record is written with one write call of the whole line
// and synced before Append returns; a write that fails part-way is cut back
// at once.
package applog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// File is an append-only file of records. It is safe for concurrent use
// within one process; across processes the caller must lock (see
// internal/flock): records go at the end as this File knows it. (The file
// is not opened O_APPEND: on Windows such a handle can neither cut a torn
// tail nor flush to disk.)
type File struct {
	mu     sync.Mutex
	f      *os.File
	size   int64
	broken error
	// write performs the one write call of a record at an offset
	// (f.WriteAt; tests replace it to fail part-way).
	write func([]byte, int64) (int, error)
}

// Open opens path for appending, with extra open flags (os.O_CREATE,
// os.O_EXCL) and perm for a new file, and cuts a torn last line.
func Open(path string, flag int, perm os.FileMode) (*File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|flag, perm)
	if err != nil {
		return nil, err
	}
	size, err := Repair(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f, size: size, write: f.WriteAt}, nil
}

// OS returns the underlying file (for locking and permissions).
func (l *File) OS() *os.File { return l.f }

// Repair cuts f after its last newline when its last byte is not one (a
// torn record) and syncs the cut; it returns the resulting size.
func Repair(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	if size == 0 {
		return 0, nil
	}
	end, err := lastNewline(f, size)
	if err != nil {
		return 0, err
	}
	if end == size {
		return size, nil
	}
	if err := f.Truncate(end); err != nil {
		return 0, fmt.Errorf("cutting a torn last line off %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return end, nil
}

// lastNewline returns the offset just past the last '\n' in f (0 if none).
func lastNewline(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// Append writes rec and a newline in one write call and syncs it. A record
// must not contain a newline. When the write fails part-way (a full disk)
// the file is cut back to where it was, so the next append starts clean.
func (l *File) Append(rec []byte) error {
	if bytes.IndexByte(rec, '\n') >= 0 {
		return errors.New("applog: a record cannot contain a newline")
	}
	line := make([]byte, 0, len(rec)+1)
	line = append(append(line, rec...), '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken != nil {
		return l.broken
	}
	n, err := l.write(line, l.size)
	if err == nil && n != len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if n > 0 {
			if terr := l.f.Truncate(l.size); terr != nil {
				// The torn tail stays until the next Open cuts it; refuse
				// appends that would merge with it.
				l.broken = fmt.Errorf("%s has a torn last line: reopen it: %w", l.f.Name(), err)
			}
		}
		return err
	}
	l.size += int64(n)
	return l.f.Sync()
}

// Close closes the file.
func (l *File) Close() error { return l.f.Close() }

// Scan calls fn with each whole line of r, without its newline. A last line
// with no newline is a torn record: it is not passed to fn, and torn is
// true. Lines may be of any length.
func Scan(r io.Reader, fn func(line []byte) error) (torn bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return len(line) > 0, nil
		}
		if err != nil {
			return false, err
		}
		if err := fn(line[:len(line)-1]); err != nil {
			return false, err
		}
	}
}

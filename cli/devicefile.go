package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// maxDeviceLine is the longest line a --devices file may have.
const maxDeviceLine = 64 << 10

// deviceRef is one device named in a --devices file.
type deviceRef struct {
	ref  string // serial number or inventory ID
	line int
}

// duplicate is a line of a --devices file that names a device an earlier
// line already named; it is dropped, so the device is targeted once.
type duplicate struct {
	ref         string
	line, first int
}

// readDeviceFile reads a --devices file: one serial number or inventory ID
// a line (a CSV's first column). A UTF-8 byte-order mark, CRLF line ends,
// blank lines and # comments are handled; a reference repeated (in any
// letter case) is kept once and reported as a duplicate. Errors name the
// file and the line.
func readDeviceFile(path string) ([]deviceRef, []duplicate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return parseDeviceList(f, path)
}

func parseDeviceList(r io.Reader, name string) ([]deviceRef, []duplicate, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxDeviceLine)
	var refs []deviceRef
	var dups []duplicate
	seen := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			if bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}) {
				return nil, nil, fmt.Errorf("%s: the file is UTF-16; save it as UTF-8 (or plain text)", name)
			}
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
			return nil, nil, fmt.Errorf("%s:%d: not UTF-8 text; the file should list one serial number or inventory ID a line", name, line)
		}
		first, _, _ := strings.Cut(string(b), ",")
		ref := strings.Trim(strings.TrimSpace(first), `"`)
		if ref == "" || strings.HasPrefix(ref, "#") {
			continue
		}
		key := strings.ToUpper(ref)
		if at, ok := seen[key]; ok {
			dups = append(dups, duplicate{ref: ref, line: line, first: at})
			continue
		}
		seen[key] = line
		refs = append(refs, deviceRef{ref: ref, line: line})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, fmt.Errorf("%s:%d: line longer than %d KiB; the file should list one serial number or inventory ID a line", name, line+1, maxDeviceLine>>10)
		}
		return nil, nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if len(refs) == 0 {
		return nil, nil, fmt.Errorf("%s names no device (one serial number or inventory ID a line; # starts a comment)", name)
	}
	return refs, dups, nil
}

// matchDeviceRefs finds each reference in the fleet, by serial number or
// by inventory ID of the given kind (computers by default). Two lines that
// name the same device (its serial and its ID) are reported as duplicates
// and it is targeted once; a reference that matches nothing is an error.
func matchDeviceRefs(fleet []ops.Device, refs []deviceRef, kind jamf.Platform, name string) ([]ops.Device, []duplicate, error) {
	if kind == "" {
		kind = jamf.PlatformComputer
	}
	bySerial, byID := map[string]ops.Device{}, map[string]ops.Device{}
	for _, d := range fleet {
		bySerial[strings.ToUpper(d.Serial)] = d
		if d.Kind == kind {
			byID[d.ID] = d
		}
	}
	var out []ops.Device
	var missing []deviceRef
	var dups []duplicate
	seen := map[string]int{}
	for _, r := range refs {
		d, ok := bySerial[strings.ToUpper(r.ref)]
		if !ok {
			d, ok = byID[r.ref]
		}
		if !ok {
			missing = append(missing, r)
			continue
		}
		key := string(d.Kind) + "/" + d.ID
		if at, ok := seen[key]; ok {
			dups = append(dups, duplicate{ref: r.ref, line: r.line, first: at})
			continue
		}
		seen[key] = r.line
		out = append(out, d)
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%d lines of %s match no device (first: line %d, %q); fix the file and try again",
			len(missing), name, missing[0].line, missing[0].ref)
	}
	return out, dups, nil
}

// noteDuplicates says on stderr which lines of a device file were dropped
// as repeats.
func noteDuplicates(env *Env, name string, dups []duplicate) {
	if len(dups) == 0 {
		return
	}
	var b strings.Builder
	for i, d := range dups {
		if i == 3 {
			fmt.Fprintf(&b, "; …")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "line %d (%s) repeats line %d", d.line, ops.Clean(d.ref), d.first)
	}
	fmt.Fprintf(env.Stderr, "note: %s names %d device(s) twice; each is targeted once: %s\n", name, len(dups), b.String())
}

package jamf

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Time is a timestamp from Jamf Pro. Jamf writes times in several shapes
// (RFC 3339 with or without fractions or zone, "2006-01-02 15:04:05",
// epoch milliseconds); Time reads all of them and treats null, empty or
// unreadable values as the zero time rather than failing a whole page.
type Time struct{ time.Time }

// timeLayouts are the shapes Jamf Pro has been seen to use.
func timeLayouts() []string {
	return []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.000-0700",
		"2006-01-02T15:04:05-0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
		"2006-01-02",
	}
}

// ParseTime reads a Jamf timestamp string; ok is false when it is not one.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return EpochMillis(n)
	}
	for _, layout := range timeLayouts() {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// EpochMillis converts a Classic API *_epoch value (milliseconds) to a time.
func EpochMillis(ms int64) (time.Time, bool) {
	// Years 1971 to 2200; anything else is a placeholder such as 0.
	if ms < 31_536_000_000 || ms > 7_258_118_400_000 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			t.Time = time.Time{}
			return nil
		}
		t.Time, _ = ParseTime(s)
		return nil
	}
	t.Time, _ = ParseTime(string(data))
	return nil
}

// MarshalJSON writes RFC 3339 in UTC, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

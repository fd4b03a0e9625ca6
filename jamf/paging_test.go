package jamf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// pager serves /api/v2/groups with page(page, size, call) → (total, ids).
func pager(t *testing.T, hits *atomic.Int32, page func(page, size int, call int32) (int, []int)) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page-size"))
		total, ids := page(p, size, n)
		results := make([]map[string]any, len(ids))
		for i, id := range ids {
			results[i] = map[string]any{"groupPlatformId": fmt.Sprint(id), "groupName": strings.Repeat("g", 200)}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"totalCount": total, "results": results})
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func seq(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}

func TestInflatingPagerEndsWithAnError(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	// Every page is ten times the size asked, and the total keeps growing.
	c := pager(t, &hits, func(p, size int, n int32) (int, []int) {
		return 1000 * int(n), seq(p*size*10, size*10)
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	list, _, err := c.Groups.List(t.Context(), &ListOptions{PageSize: 10})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "larger than the 10 asked") {
		t.Fatalf("err = %v with %d groups", err, len(list))
	}
	if len(list) != 0 || hits.Load() > 2 {
		t.Fatalf("%d groups kept after %d requests", len(list), hits.Load())
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Fatalf("the heap grew by %d bytes", grew)
	}
}

func TestLaterPageLargerThanAsked(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	c := pager(t, &hits, func(p, size int, _ int32) (int, []int) {
		if p == 0 {
			return 50, seq(0, size)
		}
		return 50, seq(p*1000, size*10)
	})
	_, _, err := c.Groups.List(t.Context(), &ListOptions{PageSize: 10})
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
}

func TestGrowingTotalEndsTheListing(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	c := pager(t, &hits, func(p, size int, n int32) (int, []int) {
		return 50 * int(n) * int(n), seq(p*size, size)
	})
	_, _, err := c.Groups.List(t.Context(), &ListOptions{PageSize: 10})
	if err == nil || !strings.Contains(err.Error(), "grew") {
		t.Fatalf("err = %v", err)
	}
}

func TestRepeatedPageEndsTheListing(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	// The server ignores the page number.
	c := pager(t, &hits, func(_, size int, _ int32) (int, []int) { return 50, seq(0, size) })
	list, _, err := c.Groups.List(t.Context(), &ListOptions{PageSize: 10})
	if err == nil || !strings.Contains(err.Error(), "repeats") {
		t.Fatalf("err = %v with %d groups", err, len(list))
	}
}

func TestHonestPagerStillListed(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	// The server clamps the page size to 7 and one record appears mid-listing.
	c := pager(t, &hits, func(p, _ int, n int32) (int, []int) {
		total := 50
		if n > 3 {
			total = 51
		}
		from := p * 7
		return total, seq(from, max(0, min(7, total-from)))
	})
	list, _, err := c.Groups.List(t.Context(), &ListOptions{PageSize: 10})
	if err != nil || len(list) < 50 {
		t.Fatalf("%d groups, %v", len(list), err)
	}
}

func TestEndlessBodyIsCut(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"version":"`))
		chunk := []byte(strings.Repeat("A", 64<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := NewClient(srv.URL)
	c.maxBody = 1 << 20
	_, _, err := c.Auth.Version(context.Background())
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
	var too *ResponseTooLargeError
	if !errors.As(err, &too) || too.Limit != 1<<20 {
		t.Fatalf("err = %v (%T)", err, err)
	}
}

// TestLyingTotalWithEmptyPagesStopsEarly: a server that reports a million
// groups but serves one page and then empty ones no longer costs a request
// per promised page: the listing ends at the first empty page, a few
// requests in flight at most, and says the count was short.
func TestLyingTotalWithEmptyPagesStopsEarly(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	c := pager(t, &hits, func(p, size int, _ int32) (int, []int) {
		if p == 0 {
			return 1_000_000, seq(0, size)
		}
		return 1_000_000, nil
	})
	list, _, err := c.Groups.List(t.Context(), &ListOptions{PageSize: 100})
	if err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Fatalf("err = %v with %d groups", err, len(list))
	}
	if n := hits.Load(); n > 12 {
		t.Fatalf("%d requests for a listing that ended at page 1", n)
	}
}

// TestShrunkTotalEndsQuietly: records deleted during a listing leave its
// last page empty; that is the end of the listing, not an error.
func TestShrunkTotalEndsQuietly(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	c := pager(t, &hits, func(p, size int, _ int32) (int, []int) {
		if p == 2 {
			return 205, nil // five groups were deleted meanwhile
		}
		return 205, seq(p*size, size)
	})
	list, _, err := c.Groups.List(t.Context(), &ListOptions{PageSize: 100})
	if err != nil || len(list) != 200 {
		t.Fatalf("%d groups, %v", len(list), err)
	}
}

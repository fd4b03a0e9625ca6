package jamf

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// MaxPageSize is the largest page Jamf Pro serves: it silently clamps larger
// page-size values to 2000 while totalCount still reports the whole count.
const MaxPageSize = 2000

// DefaultPageSize is what the client asks for when the caller does not say.
// Large pages can time out behind Jamf Cloud's gateway; 500 is a safe middle.
const DefaultPageSize = 500

// maxPages bounds how many pages one listing may request, so a server that
// reports an absurd totalCount cannot make the client loop for ever.
const maxPages = 20000

// ListOptions are the Jamf Pro API's paging, sorting and RSQL filter
// parameters.
type ListOptions struct {
	// PageSize is the number of records per page (default DefaultPageSize).
	PageSize int
	// Sort is a list of "field:asc" or "field:desc" terms.
	Sort []string
	// Filter is an RSQL expression; build it with the Filter helpers.
	Filter Filter
}

func (o *ListOptions) pageSize() int {
	if o == nil || o.PageSize <= 0 {
		return DefaultPageSize
	}
	return o.PageSize
}

func (o *ListOptions) values(page, size int) url.Values {
	q := url.Values{}
	q.Set("page", strconv.Itoa(page))
	q.Set("page-size", strconv.Itoa(size))
	if o != nil {
		if len(o.Sort) > 0 {
			q.Set("sort", strings.Join(o.Sort, ","))
		}
		if o.Filter != "" {
			q.Set("filter", string(o.Filter))
		}
	}
	return q
}

// pageBody is the Jamf Pro API's paged envelope.
type pageBody[T any] struct {
	TotalCount int `json:"totalCount"`
	Results    []T `json:"results"`
}

// pageKeyer is implemented by records with a stable identity, so that a
// listing can notice a page that repeats an earlier one.
type pageKeyer interface{ pageKey() string }

// PagingError reports a listing the client ended because the server's
// pages could not be trusted: a page larger than the page size asked, a
// totalCount that grew during the listing, or a page that repeats the
// records of an earlier one. Nothing of the listing is returned.
type PagingError struct {
	Path string
	// Reason says what was wrong.
	Reason string
}

// Error implements error.
func (e *PagingError) Error() string {
	return fmt.Sprintf("jamf: GET /%s: listing stopped: %s", e.Path, e.Reason)
}

// pageGuard checks each page of one listing against the first.
type pageGuard[T any] struct {
	path  string
	size  int // the page size the server really uses
	total int // totalCount of the first page
	mu    sync.Mutex
	seen  map[string]struct{}
}

// check refuses a page larger than asked, a total grown by more than a
// page since the first, or a page whose records were all listed already.
func (g *pageGuard[T]) check(page int, body *pageBody[T]) error {
	if n := len(body.Results); n > g.size {
		return &PagingError{Path: g.path, Reason: fmt.Sprintf("page %d holds %d records, larger than the %d asked", page, n, g.size)}
	}
	if body.TotalCount > g.total+g.size {
		return &PagingError{Path: g.path, Reason: fmt.Sprintf("the total grew from %d to %d during the listing; try again", g.total, body.TotalCount)}
	}
	keys := make([]string, 0, len(body.Results))
	for _, r := range body.Results {
		if k, ok := any(r).(pageKeyer); ok && k.pageKey() != "" {
			keys = append(keys, k.pageKey())
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	repeated := len(keys) > 0
	for _, k := range keys {
		if _, ok := g.seen[k]; !ok {
			repeated = false
			break
		}
	}
	if repeated {
		return &PagingError{Path: g.path, Reason: fmt.Sprintf("page %d repeats records of an earlier page", page)}
	}
	for _, k := range keys {
		g.seen[k] = struct{}{}
	}
	return nil
}

// listAll reads every page of a paged collection. It reads the first page,
// learns totalCount and the page size the server really used (it may clamp),
// then fetches the remaining pages concurrently within the client's limit. It
// stops on totalCount, never on a short page.
//
// It trusts the server's pages only so far: a page larger than the page
// size, a total that grows by more than a page during the listing or a page
// that repeats an earlier one end the listing with a *PagingError. The
// pages fetched follow from the first totalCount (at most maxPages), so
// what it accumulates never exceeds that total by more than a page.
func listAll[T any](ctx context.Context, c *Client, path string, extra url.Values, opts *ListOptions, privileges ...string) ([]T, *Response, error) {
	size := opts.pageSize()
	fetch := func(page int) (*pageBody[T], *Response, error) {
		q := opts.values(page, size)
		for k, vs := range extra {
			q[k] = append(q[k], vs...)
		}
		var body pageBody[T]
		resp, err := c.do(ctx, &request{method: http.MethodGet, path: path, query: q, privileges: privileges}, &body)
		return &body, resp, err
	}
	first, resp, err := fetch(0)
	if err != nil {
		return nil, resp, err
	}
	total := &Response{Response: resp.Response, TotalCount: first.TotalCount, Requests: resp.Requests}
	guard := &pageGuard[T]{path: path, size: size, total: max(first.TotalCount, 0), seen: map[string]struct{}{}}
	if err := guard.check(0, first); err != nil {
		return nil, total, err
	}
	all := first.Results
	served := len(first.Results)
	if served == 0 || served >= first.TotalCount {
		return all, total, nil
	}
	if served < size {
		// The server clamped the page size: page numbers count in its size.
		size = served
		guard.size = served
	}
	pages := (first.TotalCount + size - 1) / size
	if pages > maxPages {
		return nil, total, fmt.Errorf("jamf: GET /%s: the server reports %d records, more than %d pages of %d; narrow the request with a filter", path, first.TotalCount, maxPages, size)
	}
	rest := make([][]T, pages)
	counts := make([]int, pages)
	// end is the first empty page: the listing ends there, and pages after
	// it are not asked for (a server promising a million records and
	// serving one page costs a few requests, not one per promised page).
	var end atomic.Int64
	end.Store(int64(pages))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.conc)
	for p := 1; p < pages; p++ {
		if int64(p) >= end.Load() {
			break
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			if int64(p) >= end.Load() {
				return nil
			}
			body, r, err := fetch(p)
			if r != nil {
				counts[p] = r.Requests
			}
			if err != nil {
				return err
			}
			if err := guard.check(p, body); err != nil {
				return err
			}
			if len(body.Results) == 0 {
				lower(&end, int64(p))
				return nil
			}
			rest[p] = body.Results
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, total, ctxErr
		}
		return nil, total, err
	}
	last := int(end.Load())
	for p := 1; p < pages; p++ {
		total.Requests += counts[p]
		if p < last {
			all = append(all, rest[p]...)
		}
	}
	// Records deleted during the listing leave its end short by less than
	// a page; a total overstated by more is the server's count lying.
	if last < pages && first.TotalCount-len(all) > size {
		return nil, total, &PagingError{Path: path, Reason: fmt.Sprintf("page %d is empty with %d of the %d records reported listed", last, len(all), first.TotalCount)}
	}
	return all, total, nil
}

// chunk splits ids into slices of at most n.
// lower sets v to n when n is smaller.
func lower(v *atomic.Int64, n int64) {
	for cur := v.Load(); n < cur; cur = v.Load() {
		if v.CompareAndSwap(cur, n) {
			return
		}
	}
}

func chunk[T any](ids []T, n int) [][]T {
	var out [][]T
	for len(ids) > n {
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// idsPerFilter keeps id=in=(...) filters well inside URL length limits.
const idsPerFilter = 200

// listByIDs fetches records for many IDs as id=in=(...) chunks, concurrently
// within the client's limit, and returns them in chunk order.
func listByIDs[T any](ctx context.Context, c *Client, ids []string, fetch func(context.Context, []string) ([]T, *Response, error)) ([]T, *Response, error) {
	parts := chunk(ids, idsPerFilter)
	results := make([][]T, len(parts))
	reqs := make([]int, len(parts))
	total := &Response{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.conc)
	for i, part := range parts {
		g.Go(func() error {
			list, resp, err := fetch(gctx, part)
			if resp != nil {
				reqs[i] = resp.Requests
			}
			results[i] = list
			return err
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, total, ctx.Err()
		}
		return nil, total, err
	}
	var out []T
	for i := range parts {
		out = append(out, results[i]...)
		total.Requests += reqs[i]
	}
	total.TotalCount = len(out)
	return out, total, nil
}

func (c Computer) pageKey() string { return c.ID }
func (g Group) pageKey() string {
	if g.PlatformID == "" {
		return ""
	}
	return g.Type + "/" + g.PlatformID
}
func (d MobileDevice) pageKey() string       { return d.MobileDeviceID }
func (d mobileDeviceDetail) pageKey() string { return d.MobileDeviceID }
func (c Command) pageKey() string            { return c.UUID }

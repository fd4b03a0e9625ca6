package jamf

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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

// listAll reads every page of a paged collection. It reads the first page,
// learns totalCount and the page size the server really used (it may clamp),
// then fetches the remaining pages concurrently within the client's limit. It
// stops on totalCount, never on a short page.
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
	all := first.Results
	served := len(first.Results)
	if served == 0 || served >= first.TotalCount {
		return all, total, nil
	}
	if served < size {
		// The server clamped the page size: page numbers count in its size.
		size = served
	}
	pages := (first.TotalCount + size - 1) / size
	if pages > maxPages {
		return nil, total, fmt.Errorf("jamf: GET /%s: the server reports %d records, more than %d pages of %d; narrow the request with a filter", path, first.TotalCount, maxPages, size)
	}
	rest := make([][]T, pages)
	counts := make([]int, pages)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.conc)
	for p := 1; p < pages; p++ {
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			body, r, err := fetch(p)
			if r != nil {
				counts[p] = r.Requests
			}
			if err != nil {
				return err
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
	for p := 1; p < pages; p++ {
		all = append(all, rest[p]...)
		total.Requests += counts[p]
	}
	return all, total, nil
}

// chunk splits ids into slices of at most n.
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

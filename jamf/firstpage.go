package jamf

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// firstPage reads only page 0 of a paged collection, for look-ups that want
// the best few matches and the total, never the whole inventory. A page
// larger than asked is an error rather than a surprise allocation.
func firstPage[T any](ctx context.Context, c *Client, path string, extra url.Values, opts *ListOptions, privileges ...string) ([]T, *Response, error) {
	size := opts.pageSize()
	q := opts.values(0, size)
	for k, vs := range extra {
		q[k] = append(q[k], vs...)
	}
	var body pageBody[T]
	resp, err := c.do(ctx, &request{method: http.MethodGet, path: path, query: q, privileges: privileges}, &body)
	if err != nil {
		return nil, resp, err
	}
	if len(body.Results) > size {
		return nil, resp, fmt.Errorf("jamf: GET /%s: the server sent %d records for a page of %d", path, len(body.Results), size)
	}
	out := &Response{Response: resp.Response, TotalCount: body.TotalCount, Requests: resp.Requests}
	return body.Results, out, nil
}

// FirstPage returns the first page of computers matching opts (at most
// opts.PageSize records) with the server's total in Response.TotalCount. It
// costs exactly one request however many computers match.
func (s *ComputersService) FirstPage(ctx context.Context, sections []string, opts *ListOptions) ([]Computer, *Response, error) {
	if len(sections) == 0 {
		sections = DefaultComputerSections()
	}
	return firstPage[Computer](ctx, s.client, "api/v4/computers-inventory", url.Values{"section": sections}, opts, PrivReadComputers)
}

// FirstPage returns the first page of mobile devices matching opts with the
// server's total in Response.TotalCount, in one request.
func (s *MobileDevicesService) FirstPage(ctx context.Context, opts *ListOptions) ([]MobileDevice, *Response, error) {
	q := url.Values{"section": {SectionGeneral, SectionHardware, SectionUserAndLocation}}
	details, resp, err := firstPage[mobileDeviceDetail](ctx, s.client, "api/v2/mobile-devices/detail", q, opts, PrivReadMobileDevices)
	if err != nil {
		return nil, resp, err
	}
	return flatten(details), resp, nil
}

// CountCommands returns how many MDM commands match filter (which Jamf Pro
// requires), from one request for a page of one record.
func (s *MDMService) CountCommands(ctx context.Context, filter Filter) (int, *Response, error) {
	if filter == "" {
		return 0, nil, fmt.Errorf("jamf: counting MDM commands needs a filter")
	}
	_, resp, err := firstPage[Command](ctx, s.client, "api/v2/mdm/commands", nil, &ListOptions{PageSize: 1, Filter: filter}, PrivViewMDMCommands)
	if err != nil {
		return 0, resp, err
	}
	return resp.TotalCount, resp, nil
}

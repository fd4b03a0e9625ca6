// Package tokencache holds one bearer token per client and makes
// concurrent callers share a single fetch when it must be renewed.
package tokencache

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Fetch obtains a new token and the time the client should stop using it.
type Fetch func(ctx context.Context) (value string, refreshAt time.Time, err error)

// Cache is one cached token. The zero value is ready to use.
type Cache struct {
	mu        sync.Mutex
	value     string
	refreshAt time.Time
	flight    singleflight.Group
}

// Get returns the cached token while now is before its refresh time, and
// otherwise fetches a new one. Concurrent callers share one fetch, which
// outlives any single caller's cancellation (bounded by a minute).
func (c *Cache) Get(ctx context.Context, now time.Time, fetch Fetch) (string, error) {
	c.mu.Lock()
	v, at := c.value, c.refreshAt
	c.mu.Unlock()
	if v != "" && now.Before(at) {
		return v, nil
	}
	ch := c.flight.DoChan("token", func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		tok, refreshAt, err := fetch(fctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.value, c.refreshAt = tok, refreshAt
		c.mu.Unlock()
		return tok, nil
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil
	}
}

// Drop forgets the token if it is still value (after the server refused it).
func (c *Cache) Drop(value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value == value {
		c.value = ""
	}
}

// Take forgets the token and returns it ("" when none).
func (c *Cache) Take() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.value
	c.value = ""
	return v
}

// RefreshMargin is how long before expiry a token should be replaced:
// max for long-lived tokens, a fifth of the lifetime for short ones, so a
// 60-second token is reused for 48 seconds rather than refetched per call.
func RefreshMargin(lifetime, max time.Duration) time.Duration {
	return min(max, lifetime/5)
}

package tokencache

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCacheSharesOneFetchAndRefreshes(t *testing.T) {
	t.Parallel()
	var c Cache
	var fetches atomic.Int32
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fetch := func(context.Context) (string, time.Time, error) {
		n := fetches.Add(1)
		time.Sleep(20 * time.Millisecond)
		return fmt.Sprint("tok-", n), t0.Add(48 * time.Second), nil
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if v, err := c.Get(t.Context(), t0, fetch); err != nil || v != "tok-1" {
				t.Errorf("Get = %q, %v", v, err)
			}
		})
	}
	wg.Wait()
	if fetches.Load() != 1 {
		t.Fatalf("20 callers made %d fetches", fetches.Load())
	}
	if v, _ := c.Get(t.Context(), t0.Add(47*time.Second), fetch); v != "tok-1" {
		t.Fatal("refetched before the refresh time")
	}
	if v, _ := c.Get(t.Context(), t0.Add(48*time.Second), fetch); v != "tok-2" {
		t.Fatal("did not refetch at the refresh time")
	}
	c.Drop("tok-1") // an old token: ignored
	if v, _ := c.Get(t.Context(), t0, fetch); v != "tok-2" {
		t.Fatal("dropping a stale value discarded the current one")
	}
	c.Drop("tok-2")
	if v, _ := c.Get(t.Context(), t0, fetch); v != "tok-3" {
		t.Fatal("dropped token was reused")
	}
	if c.Take() != "tok-3" || c.Take() != "" {
		t.Fatal("Take")
	}
}

func TestCancelledCallerDoesNotCancelTheSharedFetch(t *testing.T) {
	t.Parallel()
	var c Cache
	release := make(chan struct{})
	fetch := func(ctx context.Context) (string, time.Time, error) {
		<-release
		if ctx.Err() != nil {
			return "", time.Time{}, ctx.Err()
		}
		return "tok", time.Now().Add(time.Hour), nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { _, err := c.Get(ctx, time.Now(), fetch); done <- err }()
	other := make(chan string)
	go func() { v, _ := c.Get(t.Context(), time.Now(), fetch); other <- v }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("cancelled caller: %v", err)
	}
	close(release)
	if v := <-other; v != "tok" {
		t.Fatalf("the other caller got %q", v)
	}
}

func TestRefreshMargin(t *testing.T) {
	t.Parallel()
	if RefreshMargin(60*time.Second, 5*time.Minute) != 12*time.Second || RefreshMargin(time.Hour, 5*time.Minute) != 5*time.Minute {
		t.Fatal("RefreshMargin")
	}
}
